// A horizontal bar chart as server-rendered SVG: no chart library, nothing to load, readable without script.
import { html, type Html } from '../html.js';

/** Horizontal bars with labels and values; `role="img"` with a title, and the same numbers in a table beside it. */
export function barChart(
  id: string,
  title: string,
  bars: { label: string; value: number; note?: string }[],
  opts: { width?: number; format?: (n: number) => string } = {},
): Html {
  const width = opts.width ?? 800,
    labelW = 190,
    valueW = 270,
    barH = 22,
    gap = 8;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const height = bars.length * (barH + gap) + gap;
  const inner = width - labelW - valueW;
  const fmt = opts.format ?? ((n: number) => String(n));
  return html`<svg
    class="chart"
    id="${id}"
    viewBox="0 0 ${width} ${height}"
    width="${width}"
    height="${height}"
    role="img"
    aria-labelledby="${id}-t"
  >
    <title id="${id}-t">${title}</title>
    ${bars.map((b, i) => {
      const y = gap + i * (barH + gap);
      const w = Math.max(b.value > 0 ? 2 : 0, Math.round((inner * b.value) / max));
      return html`<g
        ><text x="${labelW - 8}" y="${y + barH * 0.7}" text-anchor="end">${b.label.slice(0, 28)}</text>
        <rect x="${labelW}" y="${y}" width="${w}" height="${barH}" rx="3" fill="#1f5fbf"></rect>
        <text x="${labelW + w + 6}" y="${y + barH * 0.7}">${fmt(b.value)}${b.note ? ` · ${b.note}` : ''}</text></g
      >`;
    })}
  </svg>`;
}
