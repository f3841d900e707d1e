// The fake HubSpot's reading side: how a record is shown (properties asked for, associations), pages with
// an `after` offset, and the CRM search's filters (EQ, GTE on properties; associations.<type> EQ id, the
// pseudo-property for records associated with another) and sort. Used by test/support/fake-hubspot.ts.
export type HsType = 'companies' | 'contacts' | 'deals' | 'emails' | 'meetings';
export interface HsRecord {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
  associations: Record<string, { id: string; typeId: number }[]>;
}

export interface SearchBody {
  filterGroups?: { filters: { propertyName: string; operator: string; value?: string }[] }[];
  sorts?: string[];
  properties?: string[];
  limit?: number;
  after?: string;
}

const asNum = (v: string | null | undefined) => (v && /^\d+$/.test(v) ? Number(v) : v ? Date.parse(v) : NaN);

/** The live records a search matches (any filter group, every filter of it), in its sort order. */
export function searchRecords(records: HsRecord[], b: SearchBody): HsRecord[] {
  const match = (r: HsRecord) =>
    !b.filterGroups?.length ||
    b.filterGroups.some((g) =>
      g.filters.every((f) => {
        const assoc = /^associations\.(\w+)$/.exec(f.propertyName)?.[1];
        if (assoc && f.operator === 'EQ')
          return (r.associations[assoc === 'contact' ? 'contacts' : `${assoc}s`] ?? []).some((x) => x.id === f.value);
        const v = r.properties[f.propertyName];
        if (f.operator === 'EQ') return String(v ?? '') === f.value;
        if (f.operator === 'GTE') return asNum(v) >= asNum(f.value);
        throw new Error(`fake hubspot: operator ${f.operator}`);
      }),
    );
  const items = records.filter((r) => !r.archived && match(r));
  const sortBy = b.sorts?.[0];
  return sortBy
    ? items.sort((x, y) => asNum(x.properties[sortBy]) - asNum(y.properties[sortBy]) || Number(x.id) - Number(y.id))
    : items;
}

export const view = (type: HsType, r: HsRecord, props: string[] | null, assoc: string[] = []) => ({
  id: r.id,
  properties: props ? Object.fromEntries(props.map((p) => [p, r.properties[p] ?? null])) : r.properties,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
  archived: r.archived,
  ...(r.archivedAt ? { archivedAt: r.archivedAt } : {}),
  ...(assoc.length
    ? {
        associations: Object.fromEntries(
          assoc
            .filter((a) => r.associations[a]?.length)
            .map((a) => [a, { results: r.associations[a]!.map((x) => ({ id: x.id, type: `${type}_to_${a}` })) }]),
        ),
      }
    : {}),
});
export const pageOf = <T>(items: T[], after: string | undefined, limit: number) => {
  const start = Number(after ?? 0);
  const slice = items.slice(start, start + limit);
  const next = start + limit < items.length ? { next: { after: String(start + limit) } } : {};
  return { results: slice, ...(Object.keys(next).length ? { paging: next } : {}) };
};
