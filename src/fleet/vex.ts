/**
 * Accepted risks (exceptions) exported as an OpenVEX v0.2.0 document (https://openvex.dev/ns/v0.2.0).
 *
 * Status: `affected`, with an `action_statement`. An exception in mamori is accepted risk: the owner decided to
 * live with a vulnerability that is present (until the expiry date, with a temporary defence or a plan), not a
 * finding that the product is unaffected. `not_affected` would tell every consumer of the VEX (scanners that
 * suppress findings from it, auditors) that the vulnerable code is absent or unreachable, which nobody checked;
 * OpenVEX requires an action statement for `affected`, which is where the acceptance, its owner, reason and expiry
 * go. Expired and revoked exceptions are left out: they no longer apply.
 *
 * Products are the fleet's targets (`urn:mamori:target:<id>`), or the tenant (`urn:mamori:tenant:<id>`) for an
 * exception that covers a CVE on every target of the tenant. Vulnerabilities are the CVE, or the stable mamori
 * finding id (`mamori:<finding id>`) for an exception that names a finding without a CVE.
 */
import { createHash } from 'node:crypto';
import type { RiskException } from './types.js';

export interface OpenVexStatement {
  '@id'?: string;
  vulnerability: { name: string; '@id'?: string };
  timestamp: string;
  products: { '@id': string }[];
  status: 'affected';
  status_notes: string;
  action_statement: string;
  action_statement_timestamp: string;
}

export interface OpenVexDocument {
  '@context': 'https://openvex.dev/ns/v0.2.0';
  '@id': string;
  author: string;
  role?: string;
  timestamp: string;
  version: number;
  tooling: string;
  statements: OpenVexStatement[];
}

export interface VexOptions {
  /** Who states it (the organisation running mamori, e.g. `ops@example.co.jp`). */
  author: string;
  now: Date;
  /** e.g. `mamori/0.1.0` */
  tooling?: string;
}

const NVD = (cve: string) => (/^CVE-\d{4}-\d+$/.test(cve) ? `https://nvd.nist.gov/vuln/detail/${cve}` : undefined);

export function exceptionsToOpenVex(exceptions: readonly RiskException[], opts: VexOptions): OpenVexDocument {
  const at = opts.now.toISOString();
  const active = exceptions
    .filter((e) => e.revokedAt === null && e.expiresAt > at && (e.cve !== null || e.findingId !== null))
    .slice()
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  const statements: OpenVexStatement[] = active.map((e) => {
    const name = e.cve ?? `mamori:${e.findingId}`;
    const iri = e.cve ? NVD(e.cve) : undefined;
    const scope = e.findingId && e.cve ? ` (finding ${e.findingId})` : '';
    return {
      '@id': `urn:mamori:exception:${e.id}`,
      vulnerability: iri ? { name, '@id': iri } : { name },
      timestamp: e.createdAt,
      products: [{ '@id': e.targetId ? `urn:mamori:target:${e.targetId}` : `urn:mamori:tenant:${e.tenantId}` }],
      status: 'affected',
      status_notes: `Risk accepted${scope}: ${e.reason}`,
      action_statement: `Accepted risk owned by ${e.owner} until ${e.expiresAt}; apply the security update (or keep the temporary defence) before then. The finding is reported again after ${e.expiresAt}.`,
      action_statement_timestamp: e.createdAt,
    };
  });
  const digest = createHash('sha256').update(JSON.stringify(statements)).digest('hex').slice(0, 32);
  return {
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': `urn:mamori:vex:${digest}`,
    author: opts.author,
    timestamp: at,
    version: 1,
    tooling: opts.tooling ?? 'mamori',
    statements,
  };
}
