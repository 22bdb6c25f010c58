/**
 * The explicit registry of raw formats. Import recognises each file by its content (never its name), in
 * this order (most specific first); one format = one feed folder + one entry here.
 */
import type { Normalized, ParseContext, RawInput } from '../types.js';
import * as cve5 from './cve5/parse.js';
import * as debian from './debian-tracker/parse.js';
import * as distroInfo from './distro-info/parse.js';
import * as endoflife from './endoflife/parse.js';
import * as epss from './epss/parse.js';
import * as fop from './friendsofphp/parse.js';
import * as httpd from './httpd/parse.js';
import * as kev from './kev/parse.js';
import * as nginx from './nginx/parse.js';
import * as nvd from './nvd/parse.js';
import * as osv from './osv/parse.js';
import * as phpReleases from './php-releases/parse.js';
import * as pva from './php-version-audit/parse.js';
import * as redhat from './redhat-csaf/parse.js';
import * as jvn from './jvn/parse.js';
import * as debianCpe from './debian-cpe/parse.js';
import * as redhatApi from './redhat-api/parse.js';
import * as oval from './redhat-oval/parse.js';
import * as alpine from './alpine-secdb/parse.js';
import * as alas from './amazon-alas/parse.js';

export interface Format {
  /** Format id, stored with the raw record so it re-normalises without recognising again. */
  id: string;
  /** The feed the records belong to (OSV decides per record). */
  feed: string;
  recognise(text: string): boolean;
  parse(raw: RawInput, text: string, ctx: ParseContext): { feed: string; out: Normalized };
}

const simple = (id: string, feed: string, recognise: (t: string) => boolean, parse: (r: RawInput, t: string, c: ParseContext) => Normalized): Format => ({
  id,
  feed,
  recognise,
  parse: (r, t, c) => ({ feed, out: parse(r, t, c) }),
});

export const FORMATS: readonly Format[] = [
  simple('kev-json', kev.FEED, kev.recognise, kev.parse),
  simple('php-version-audit-json', pva.FEED, pva.recognise, pva.parse),
  simple('php-releases-json', phpReleases.FEED, phpReleases.recognise, phpReleases.parse),
  simple('nvd-cve-api-2.0', nvd.FEED, nvd.recognise, nvd.parse),
  simple('endoflife-md', endoflife.FEED, endoflife.recogniseMd, endoflife.parseMd),
  simple('endoflife-api-v1', endoflife.FEED, endoflife.recogniseApi, endoflife.parseApi),
  simple('distro-info-csv', distroInfo.FEED, distroInfo.recognise, distroInfo.parse),
  simple('epss-csv', epss.FEED, epss.recognise, epss.parse),
  simple('debian-dsa-list', debian.FEED, debian.recogniseList, debian.parseList),
  simple('debian-tracker-json', debian.FEED, debian.recogniseJson, debian.parseJsonDump),
  simple('debian-cpe-list', debianCpe.FEED, debianCpe.recogniseList, debianCpe.parseList),
  simple('debian-cpe-aliases', debianCpe.FEED, debianCpe.recogniseAliases, debianCpe.parseAliases),
  simple('friendsofphp-yaml', fop.FEED, fop.recognise, fop.parse),
  simple('nginx-security-advisories-xml', nginx.FEED, nginx.recognise, nginx.parse),
  simple('redhat-csaf-vex', redhat.FEED, redhat.recognise, redhat.parse),
  simple('redhat-securitydata-cve-json', redhatApi.FEED, redhatApi.recognise, redhatApi.parse),
  simple('redhat-oval-vuln-list-json', oval.FEED_REDHAT, oval.recogniseRedhat, oval.parseRedhat),
  simple('oracle-elsa-oval-vuln-list-json', oval.FEED_ORACLE, oval.recogniseOracle, oval.parseOracle),
  { id: 'oval-xml', feed: oval.FEED_REDHAT, recognise: oval.recogniseXml, parse: (r, t) => ({ feed: oval.xmlFeed(t), out: oval.parseXml(r, t) }) },
  simple('alpine-secdb', alpine.FEED, alpine.recognise, alpine.parse),
  simple('amazon-alas-json', alas.FEED, alas.recogniseJson, alas.parseJson),
  simple('amazon-updateinfo-xml', alas.FEED, alas.recogniseXml, alas.parseXml),
  simple('jvn-myjvn-xml', jvn.FEED, jvn.recognise, jvn.parse),
  simple('httpd-cve-json', httpd.FEED, httpd.recognise, httpd.parse),
  { id: 'osv-json', feed: 'osv', recognise: osv.recognise, parse: (r, t) => osv.parse(r, t) },
  simple('cve-json-5', cve5.FEED, cve5.recognise, cve5.parse),
];

export const FORMAT_BY_ID = new Map(FORMATS.map((f) => [f.id, f]));

export function recogniseFormat(text: string): Format | undefined {
  return FORMATS.find((f) => f.recognise(text));
}

/** Every feed name mamori knows, for `db status` (missing feeds are listed too). */
export const KNOWN_FEEDS = [
  'endoflife',
  'distro-info',
  'kev',
  'epss',
  'nvd',
  'cve5',
  'osv-almalinux',
  'osv-rocky-linux',
  'osv-redhat',
  'osv-debian',
  'osv-ubuntu',
  'osv-alpine',
  'osv-packagist',
  'osv-npm',
  'debian-tracker',
  'debian-cpe',
  'redhat-csaf',
  'redhat-api',
  'redhat-oval',
  'oracle-elsa',
  'alpine-secdb',
  'amazon-alas',
  'php-releases',
  'php-version-audit',
  'httpd',
  'nginx',
  'friendsofphp',
  'jvn',
] as const;
