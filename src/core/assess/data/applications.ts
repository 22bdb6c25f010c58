/**
 * What the field knows about the web applications old Japanese shops run: carts, mail forms, CMS. Data,
 * not code: each rule names the versions it covers, the status, the facts in the field's words, and its
 * sources with the date they were read. `verified: false` marks knowledge not re-checked against the
 * vendor at the time of writing (shown as lower confidence). Add an application = add an entry + a test.
 *
 * Status words:
 * - `eol`: the vendor ended support for the line; no fixes will come;
 * - `unmaintained`: the project is abandoned (no release for years), whatever the vendor says;
 * - `vulnerable`: versions with published holes fixed in a later release of the same script.
 */
export type AppStatus = 'eol' | 'unmaintained' | 'vulnerable';

export interface AppRule {
  /** Versions covered: `below` (generic comparison), `prefix` (a line), `all` (every version). */
  match: { below?: string; prefix?: string; all?: true };
  status: AppStatus;
  /** Message code with the field's words for this rule (assess.app.* in messages/assess.ts). */
  detail: string;
  /** The version or product to move to (shown in the plan). */
  upgradeTo?: string;
  cves?: string[];
  /** YYYY-MM-DD the line ended, where the vendor published it. */
  since?: string;
  sources: string[];
  verified: boolean;
}

export interface AppKnowledge {
  /** Component name as collectors emit it. */
  name: string;
  displayName: string;
  kind: 'cart' | 'mailform' | 'cms' | 'admin-tool';
  /** Versions written as dates (KENT-WEB scripts: `2025/08/11`): judged by age. */
  dateVersions?: boolean;
  /** With dateVersions or when the version is unknown: no release for this many years = unmaintained. */
  staleAfterYears?: number;
  rules: AppRule[];
  /** The plan's migration step (message code). */
  migration: string;
  /** Read at. */
  asOf: string;
}

export const APPLICATIONS: readonly AppKnowledge[] = [
  {
    name: 'ec-cube',
    displayName: 'EC-CUBE',
    kind: 'cart',
    migration: 'assess.app.migrate.eccube',
    asOf: '2026-08-01',
    rules: [
      {
        match: { below: '2.17' },
        status: 'eol',
        detail: 'assess.app.eccube.2old',
        upgradeTo: 'EC-CUBE 4.3 / EC-CUBE 2.25',
        sources: ['https://www.ec-cube.net/', 'docs/field/check-catalog.md APP-02/03', 'https://github.com/EC-CUBE/ec-cube2'],
        verified: true,
      },
      {
        match: { prefix: '3.' },
        status: 'eol',
        detail: 'assess.app.eccube.3',
        upgradeTo: 'EC-CUBE 4.3',
        sources: ['https://www.ec-cube.net/', 'docs/field/check-catalog.md APP-05'],
        verified: true,
      },
      {
        match: { prefix: '4.0' },
        status: 'eol',
        detail: 'assess.app.eccube.4old',
        upgradeTo: 'EC-CUBE 4.3',
        sources: ['https://www.ec-cube.net/', 'docs/field/check-catalog.md APP-06 (support status)'],
        verified: false,
      },
      {
        match: { prefix: '4.1' },
        status: 'eol',
        detail: 'assess.app.eccube.4old',
        upgradeTo: 'EC-CUBE 4.3',
        sources: ['https://www.ec-cube.net/', 'docs/field/check-catalog.md APP-06 (support status)'],
        verified: false,
      },
    ],
  },
  {
    name: 'oscommerce',
    displayName: 'osCommerce',
    kind: 'cart',
    migration: 'assess.app.migrate.cart',
    asOf: '2026-08-01',
    rules: [
      {
        match: { below: '3' },
        status: 'unmaintained',
        detail: 'assess.app.oscommerce.2',
        upgradeTo: 'EC-CUBE 4.3',
        sources: ['https://www.oscommerce.com/', 'docs/field/check-catalog.md APP-13'],
        verified: true,
      },
    ],
  },
  {
    name: 'zen-cart',
    displayName: 'Zen Cart',
    kind: 'cart',
    migration: 'assess.app.migrate.cart',
    asOf: '2026-08-01',
    rules: [
      {
        match: { below: '1.5' },
        status: 'unmaintained',
        detail: 'assess.app.zencart.old',
        upgradeTo: 'Zen Cart 2.x',
        sources: ['https://www.zen-cart.com/', 'docs/field/check-catalog.md APP-12'],
        verified: true,
      },
      {
        match: { below: '1.5.8' },
        status: 'eol',
        detail: 'assess.app.zencart.15',
        upgradeTo: 'Zen Cart 2.x',
        sources: ['https://www.zen-cart.com/ (only current releases receive fixes)'],
        verified: false,
      },
    ],
  },
  {
    name: 'welcart',
    displayName: 'Welcart e-Commerce',
    kind: 'cart',
    staleAfterYears: 3,
    migration: 'assess.app.migrate.plugin',
    asOf: '2026-08-01',
    rules: [],
  },
  {
    name: 'movable-type',
    displayName: 'Movable Type',
    kind: 'cms',
    migration: 'assess.app.migrate.mt',
    asOf: '2026-08-01',
    rules: [
      {
        match: { below: '7' },
        status: 'eol',
        detail: 'assess.app.mt.old',
        upgradeTo: 'Movable Type 8',
        cves: ['CVE-2021-20837'],
        sources: ['https://www.sixapart.jp/movabletype/', 'CVE-2021-20837 (mt-xmlrpc.cgi OS command injection; JVN and NVD)', 'docs/field/check-catalog.md APP-14'],
        verified: false,
      },
    ],
  },
  {
    name: 'formmail',
    displayName: "Matt's Script Archive FormMail",
    kind: 'mailform',
    migration: 'assess.app.migrate.mailform',
    asOf: '2026-08-01',
    rules: [
      {
        match: { all: true },
        status: 'unmaintained',
        detail: 'assess.app.formmail',
        upgradeTo: 'nms FormMail',
        cves: ['CVE-2002-1771', 'CVE-2002-2109', 'CVE-1999-0173'],
        sources: ['https://www.scriptarchive.com/formmail.html', 'docs/field/check-catalog.md APP-33'],
        verified: true,
      },
    ],
  },
  {
    name: 'kent-postmail',
    displayName: 'KENT-WEB POST-MAIL',
    kind: 'mailform',
    dateVersions: true,
    staleAfterYears: 5,
    migration: 'assess.app.migrate.mailform',
    asOf: '2026-08-01',
    rules: [],
  },
  {
    name: 'kent-clipmail',
    displayName: 'KENT-WEB Clip Mail',
    kind: 'mailform',
    dateVersions: true,
    staleAfterYears: 5,
    migration: 'assess.app.migrate.mailform',
    asOf: '2026-08-01',
    rules: [],
  },
  {
    name: 'mailform-pro',
    displayName: 'Mailform Pro CGI',
    kind: 'mailform',
    dateVersions: true,
    staleAfterYears: 5,
    migration: 'assess.app.migrate.mailform',
    asOf: '2026-08-01',
    rules: [],
  },
];
