// The contact's time zone: the contact's own, else the account's (configured, or its JSON-LD
// address when the zone is obvious from it), else the owning rep's. Pure.
import type { Organization } from './types.js';

/** Countries with one zone (or one zone almost everyone uses). */
const COUNTRY_ZONE: Record<string, string> = {
  DE: 'Europe/Berlin',
  FR: 'Europe/Paris',
  GB: 'Europe/London',
  UK: 'Europe/London',
  IE: 'Europe/Dublin',
  NL: 'Europe/Amsterdam',
  BE: 'Europe/Brussels',
  LU: 'Europe/Luxembourg',
  ES: 'Europe/Madrid',
  PT: 'Europe/Lisbon',
  IT: 'Europe/Rome',
  CH: 'Europe/Zurich',
  AT: 'Europe/Vienna',
  NO: 'Europe/Oslo',
  SE: 'Europe/Stockholm',
  DK: 'Europe/Copenhagen',
  FI: 'Europe/Helsinki',
  PL: 'Europe/Warsaw',
  CZ: 'Europe/Prague',
  GR: 'Europe/Athens',
  IS: 'Atlantic/Reykjavik',
  EE: 'Europe/Tallinn',
  LV: 'Europe/Riga',
  LT: 'Europe/Vilnius',
  IL: 'Asia/Jerusalem',
  AE: 'Asia/Dubai',
  IN: 'Asia/Kolkata',
  SG: 'Asia/Singapore',
  JP: 'Asia/Tokyo',
  KR: 'Asia/Seoul',
  CN: 'Asia/Shanghai',
  HK: 'Asia/Hong_Kong',
  TW: 'Asia/Taipei',
  NZ: 'Pacific/Auckland',
  ZA: 'Africa/Johannesburg',
  NG: 'Africa/Lagos',
  KE: 'Africa/Nairobi',
  AR: 'America/Argentina/Buenos_Aires',
  CL: 'America/Santiago',
  CO: 'America/Bogota',
};

const COUNTRY_NAMES: Record<string, string> = {
  germany: 'DE',
  deutschland: 'DE',
  france: 'FR',
  'united kingdom': 'GB',
  england: 'GB',
  ireland: 'IE',
  netherlands: 'NL',
  belgium: 'BE',
  spain: 'ES',
  españa: 'ES',
  portugal: 'PT',
  italy: 'IT',
  switzerland: 'CH',
  austria: 'AT',
  norway: 'NO',
  sweden: 'SE',
  denmark: 'DK',
  finland: 'FI',
  poland: 'PL',
  israel: 'IL',
  india: 'IN',
  singapore: 'SG',
  japan: 'JP',
  'south korea': 'KR',
  china: 'CN',
  'new zealand': 'NZ',
  'south africa': 'ZA',
  'united states': 'US',
  usa: 'US',
  canada: 'CA',
  australia: 'AU',
  brazil: 'BR',
};

/** US states (and a few CA/AU/BR regions) by zone, for the countries that span several. */
const REGION_ZONES: Record<string, Record<string, string>> = {
  US: Object.fromEntries(
    Object.entries({
      'America/New_York': 'CT DE DC FL GA ME MD MA MI NH NJ NY NC OH PA RI SC VT VA WV',
      'America/Chicago': 'AL AR IL IA KS LA MN MS MO NE ND OK SD TN TX WI',
      'America/Denver': 'CO MT NM UT WY',
      'America/Phoenix': 'AZ',
      'America/Boise': 'ID',
      'America/Los_Angeles': 'CA NV OR WA',
      'America/Anchorage': 'AK',
      'Pacific/Honolulu': 'HI',
      'America/Indiana/Indianapolis': 'IN',
      'America/Kentucky/Louisville': 'KY',
    }).flatMap(([zone, states]) => states.split(' ').map((s) => [s, zone])),
  ),
  CA: {
    ON: 'America/Toronto',
    QC: 'America/Toronto',
    BC: 'America/Vancouver',
    AB: 'America/Edmonton',
    MB: 'America/Winnipeg',
    NS: 'America/Halifax',
  },
  AU: {
    NSW: 'Australia/Sydney',
    VIC: 'Australia/Melbourne',
    QLD: 'Australia/Brisbane',
    WA: 'Australia/Perth',
    SA: 'Australia/Adelaide',
  },
  BR: { SP: 'America/Sao_Paulo', RJ: 'America/Sao_Paulo' },
};

const CITY_ZONES: Record<string, string> = {
  'new york': 'America/New_York',
  boston: 'America/New_York',
  chicago: 'America/Chicago',
  austin: 'America/Chicago',
  denver: 'America/Denver',
  'san francisco': 'America/Los_Angeles',
  seattle: 'America/Los_Angeles',
  'los angeles': 'America/Los_Angeles',
  toronto: 'America/Toronto',
  vancouver: 'America/Vancouver',
  sydney: 'Australia/Sydney',
  melbourne: 'Australia/Melbourne',
  'são paulo': 'America/Sao_Paulo',
  'sao paulo': 'America/Sao_Paulo',
};

export function zoneFromAddress(address: Organization['address']): string | undefined {
  if (!address) return undefined;
  const rawCountry = (address.country ?? '').trim();
  const country = rawCountry.length <= 3 ? rawCountry.toUpperCase() : COUNTRY_NAMES[rawCountry.toLowerCase()];
  if (country && COUNTRY_ZONE[country]) return COUNTRY_ZONE[country];
  const region = (address.region ?? '').trim().toUpperCase();
  if (country && REGION_ZONES[country]?.[region]) return REGION_ZONES[country][region];
  return CITY_ZONES[(address.locality ?? '').trim().toLowerCase()];
}

interface ZoneInputs {
  contactZone?: string | null;
  accountZone?: string | null;
  address?: Organization['address'];
  ownerZone?: string | null;
}

export function chooseTimeZone(z: ZoneInputs): {
  zone: string | null;
  source: 'contact' | 'account' | 'address' | 'owner' | null;
} {
  if (z.contactZone) return { zone: z.contactZone, source: 'contact' };
  if (z.accountZone) return { zone: z.accountZone, source: 'account' };
  const fromAddress = zoneFromAddress(z.address);
  if (fromAddress) return { zone: fromAddress, source: 'address' };
  if (z.ownerZone) return { zone: z.ownerZone, source: 'owner' };
  return { zone: null, source: null };
}
