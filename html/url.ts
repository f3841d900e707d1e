// URLs found in untrusted HTML.

/** `href` resolved against `base`; null unless it is an http(s) URL. */
export function absolute(href: string | undefined | null, base: string): string | null {
  if (!href) return null;
  try {
    const u = new URL(href.trim(), base);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : null;
  } catch {
    return null;
  }
}
