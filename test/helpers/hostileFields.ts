import { naming, type BodyCase, type Schema } from './hostileBodies.ts';

/**
 * What only a handler can know is wrong, by field (path) name, for whichever operation has that field: duplicate and
 * malformed emails, weak passwords, unknown roles and clients, malformed URLs, time zones that do not exist, and
 * the like. Each is a 400 naming the field unless it says otherwise.
 */
interface Facts {
  /** An email some person already has. */
  takenEmail: string;
}

interface Semantic { value: unknown; statuses?: number[]; also?: string; without?: string[]; only?: string[] }
const PASSWORD_OPS = ['POST /api/me/password', 'POST /api/invitations/accept', 'POST /api/password-resets/complete'];
export const SEMANTIC: Record<string, { only?: string[]; cases: Record<string, Semantic | ((facts: Facts) => Semantic)> }> = {
  email: {
    only: ['POST /api/invitations'],
    cases: {
      'not an email': { value: 'not-an-email' }, 'no dot in the domain': { value: 'a@b' }, 'two @': { value: 'a@b@c.example' }, blank: { value: '   ' },
      'a duplicate of an existing account': (facts) => ({ value: facts.takenEmail }), 'a duplicate in other letters': (facts) => ({ value: facts.takenEmail.toUpperCase() }),
    },
  },
  password: {
    only: PASSWORD_OPS,
    cases: {
      'too short': { value: 'short-1' }, 'a common password': { value: 'password1234' }, 'one letter repeated': { value: 'aaaaaaaaaaaaaaaa' },
      'a keyboard walk': { value: 'qwertyuiop123' }, 'longer than 256 characters': { value: 'correct-horse-battery-'.repeat(12) }, 'a space only': { value: ' '.repeat(12) },
    },
  },
  current: { only: ['POST /api/me/password'], cases: { 'not the current password': { value: 'certainly-not-my-password-9' } } },
  token: { cases: { 'never issued': { value: 'A'.repeat(43) }, 'of the wrong shape': { value: 'abc' } } },
  role: { cases: { unknown: { value: 'superadmin' }, capitalised: { value: 'Admin' }, blank: { value: '' }, padded: { value: ' admin' } } },
  kind: { cases: { unknown: { value: 'robot' }, capitalised: { value: 'Personal' } } },
  clientIds: {
    cases: { 'an unknown client': { value: ['nobody'], also: 'clients' }, 'two clients for a member': { value: ['alpha', 'beta'], also: 'clients', only: ['POST /api/invitations'] } },
  },
  clients: {
    cases: {
      'an unknown role': { value: { alpha: 'owner' }, without: ['clientIds'] }, 'an unknown client': { value: { nobody: 'viewer' }, without: ['clientIds'] },
      'not a client id': { value: { 'Not An Id': 'viewer' }, without: ['clientIds'] }, 'with clientIds too': { value: { alpha: 'viewer' }, only: ['POST /api/invitations'] },
    },
  },
  allClients: { cases: { 'for a member': { value: true } } },
  timezone: {
    cases: {
      'that does not exist': { value: 'Mars/Olympus' }, 'an offset past +14': { value: 'UTC+25' }, misspelt: { value: 'Europe/Lndon' },
      'a path': { value: '../../etc/localtime' }, blank: { value: ' ' },
    },
  },
  databaseUrl: {
    cases: {
      'not a URL': { value: 'not a url', without: ['clientId'] }, 'another scheme': { value: 'mysql://db.example/app', without: ['clientId'] },
      http: { value: 'http://db.example/app', without: ['clientId'] }, 'no host': { value: 'postgres:///app', without: ['clientId'] },
      'a bad escape': { value: 'postgres://db.example/%zz', without: ['clientId'] }, 'a port out of range': { value: 'postgres://db.example:99999/app', without: ['clientId'] },
      'with clientId too': { value: 'postgres://db.example/app', only: ['POST /api/admin/clients/test-connection'] },
    },
  },
  'branding.logoUrl': {
    cases: { javascript: { value: 'javascript:alert(1)' }, data: { value: 'data:text/html,<script>alert(1)</script>' }, 'a quote': { value: 'https://cdn.example/"onload=x' } },
  },
  'branding.primaryColor': { cases: { 'a name': { value: 'red' }, short: { value: '#fff' }, 'with CSS after it': { value: '#123456;background:url(x)' } } },
  domain: { cases: { 'with spaces': { value: 'not a domain' }, 'a leading dash': { value: '-shop.example' }, 'a URL': { value: 'https://shop.example/' } } },
  expiresAt: {
    cases: {
      'not a date': { value: 'tomorrow' }, 'in the past': { value: '2020-01-01T00:00:00Z' }, 'too far ahead': { value: '2999-01-01T00:00:00Z' },
      'without an offset': { value: '2030-01-01T00:00:00' }, 'a day that does not exist': { value: '2030-02-30T00:00:00Z' },
    },
  },
  name: { cases: { blank: { value: '' }, 'spaces only': { value: '   ' } } },
  id: {
    cases: {
      'reserved by the product': { value: 'api' }, 'with capitals': { value: 'Shop' }, 'with spaces': { value: 'a shop' },
      // 409 PROVIDED_BY_FILE, naming the client: the file wins over the product.
      'a client the registry file provides': { value: 'alpha', statuses: [409], also: 'Client "alpha" is provided by the registry file' },
    },
  },
  clientId: {
    cases: { 'for a personal token': { value: 'alpha', only: ['POST /api/tokens'] }, 'an unknown client': { value: 'nobody', statuses: [400, 404], also: 'Client not found' } },
  },
  grafanaOrgId: { cases: { zero: { value: 0 }, negative: { value: -1 }, 'past 32 bits': { value: 2_147_483_648 } } },
  // Report schedules: the digest's fields, and a client's weekly and monthly ones.
  ...reportFields(''), ...reportFields('weekly.'), ...reportFields('monthly.'),
};

/** A report schedule's cron (five fields, each in range) and recipients (plain addresses, each once). */
function reportFields(prefix: string) {
  return {
    [`${prefix}cron`]: {
      cases: {
        blank: { value: '' }, 'four fields': { value: '0 9 * *' }, 'six fields (seconds)': { value: '0 0 9 * * 1' }, words: { value: 'every monday' },
        'an hour past 23': { value: '0 24 * * 1' }, 'a weekday past 7': { value: '0 9 * * 8' }, 'a macro': { value: '@weekly' },
      },
    },
    [`${prefix}recipients`]: {
      cases: {
        'not an email': { value: ['not-an-email'] }, 'with a display name': { value: ['Ops <ops@agency.example>'] }, 'two addresses in one': { value: ['a@x.example, b@x.example'] },
        'an address twice': { value: ['ops@agency.example', 'OPS@agency.example'] }, blank: { value: [' '] },
      },
    },
  };
}

/** Cases for the fields `schema` has that the table knows, for the operation `key` ('POST /api/invitations'). */
export function semanticCases(key: string, schema: Schema, valid: Record<string, unknown>, facts: Facts): BodyCase[] {
  const paths = Object.entries(schema.properties ?? {}).flatMap(([field, inner]) => [field, ...Object.keys(inner.properties ?? {}).map((sub) => `${field}.${sub}`)]);
  return paths.flatMap((path) => {
    const semantic = SEMANTIC[path];
    if (!semantic || (semantic.only && !semantic.only.includes(key))) return [];
    return Object.entries(semantic.cases).flatMap(([label, make]): BodyCase[] => {
      const { value, statuses = [400], also, without = [], only } = typeof make === 'function' ? make(facts) : make;
      if (only && !only.includes(key)) return [];
      const [head, sub] = path.split('.');
      const base = Object.fromEntries(Object.entries(valid).filter(([field]) => !without.includes(field)));
      const body = sub ? { ...base, [head!]: { ...(base[head!] as object), [sub]: value } } : { ...base, [head!]: value };
      return [{ name: `${path}: ${label}`, text: JSON.stringify(body), contentType: 'application/json', statuses, names: naming(path, also) }];
    });
  });
}
