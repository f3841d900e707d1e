// The plays form writes personas one per line, e.g.
//   Sales leadership: sales, revenue; exclude: engineer, intern; seniority: vp, head, director
// Pure: parse and print, so a round trip keeps what RevOps typed.
import { Persona, Seniority } from './personas.js';

const list = (s: string | undefined) =>
  (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

export function parsePersonaLines(text: string): { personas: Persona[]; errors: string[] } {
  const personas: Persona[] = [];
  const errors: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    const [head, ...rest] = line.split(';');
    const m = /^\s*([^:]+):(.*)$/.exec(head!);
    if (!m)
      return void errors.push(`line ${i + 1}: start with a name and a colon, e.g. "Sales leadership: sales, revenue"`);
    const fields: Record<string, string[]> = { exclude: [], seniority: [], department: [] };
    for (const part of rest) {
      const f = /^\s*(exclude|seniority|department)\s*:(.*)$/i.exec(part);
      if (!f) return void errors.push(`line ${i + 1}: "${part.trim()}" should be exclude:, seniority: or department:`);
      fields[f[1]!.toLowerCase()] = list(f[2]);
    }
    const bad = fields.seniority!.filter((s) => !Seniority.safeParse(s).success);
    if (bad.length)
      return void errors.push(
        `line ${i + 1}: seniority must be among ${Seniority.options.join(', ')} (got ${bad.join(', ')})`,
      );
    personas.push(
      Persona.parse({
        name: m[1]!.trim(),
        titleKeywords: list(m[2]),
        exclusions: fields.exclude,
        seniorities: fields.seniority,
        departments: fields.department,
      }),
    );
  });
  return { personas, errors };
}

export function personaLines(personas: Persona[]): string {
  return personas
    .map((p) =>
      [
        `${p.name}: ${p.titleKeywords.join(', ')}`,
        p.exclusions.length ? `exclude: ${p.exclusions.join(', ')}` : '',
        p.seniorities.length ? `seniority: ${p.seniorities.join(', ')}` : '',
        p.departments.length ? `department: ${p.departments.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; '),
    )
    .join('\n');
}
