/**
 * SARIF 2.1.0 (OASIS): one rule per check or CVE, one result per finding. Levels come from the severity;
 * locations are URLs, file paths or (for packages and components) logical locations. GitHub code scanning
 * reads `security-severity` from rule properties.
 */
import { pathToFileURL } from 'node:url';
import type { Finding, ReportDocument, Severity } from '../core/model.js';
import { messages } from '../core/messages/index.js';
import type { RenderOptions } from './index.js';
import { cvssOf, makeTexts } from '../core/document/view.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note' | 'none'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'none',
};
const SCORE: Record<Severity, number> = { critical: 9.5, high: 8.0, medium: 5.5, low: 3.0, info: 0.0 };

/** The rule a finding belongs to: its CVE when it is about exactly one, else its check (message code or source), else its category. */
export function ruleIdOf(f: Finding): string {
  if (f.category === 'vulnerability' && f.cves?.length === 1) return f.cves[0]!;
  if (f.message?.code) return f.message.code;
  if (f.source) return f.source;
  return `mamori/${f.category}`;
}

function location(f: Finding): Record<string, unknown>[] {
  const loc = f.location;
  const logical = f.component ? [{ name: f.component.name, fullyQualifiedName: `${f.component.name}@${f.component.version ?? ''}`.replace(/@$/, ''), kind: 'module' }] : [];
  if (loc && /^[a-z][a-z0-9+.-]*:\/\//i.test(loc) && URL.canParse(loc)) {
    return [{ physicalLocation: { artifactLocation: { uri: new URL(loc).href } }, ...(logical.length ? { logicalLocations: logical } : {}) }];
  }
  if (loc && /^\/\S*$/.test(loc)) {
    return [{ physicalLocation: { artifactLocation: { uri: pathToFileURL(loc).href } }, ...(logical.length ? { logicalLocations: logical } : {}) }];
  }
  if (loc) return [{ logicalLocations: [{ name: loc, kind: 'package' }, ...logical] }];
  return logical.length ? [{ logicalLocations: logical }] : [];
}

export function buildSarif(doc: ReportDocument, lang: RenderOptions['lang']) {
  const x = makeTexts(doc, lang);
  const rules: Record<string, unknown>[] = [];
  const ruleIndex = new Map<string, number>();
  const results = doc.findings.map((f) => {
    const id = ruleIdOf(f);
    let index = ruleIndex.get(id);
    const ev = (f.evidence ?? {}) as Record<string, unknown>;
    const cvss = f.cves?.length === 1 ? cvssOf(ev.cvss) : undefined;
    if (index === undefined) {
      index = rules.length;
      ruleIndex.set(id, index);
      const isCve = /^CVE-\d+-\d+$/i.test(id);
      rules.push({
        id,
        name: isCve ? id : id.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : '')),
        shortDescription: { text: isCve ? `${id}${f.component ? ` in ${f.component.name}` : ''}` : messages.t(lang, `report.cat.${f.category}`) },
        fullDescription: { text: messages.t(lang, `report.intro.${f.category}`) },
        ...(isCve ? { helpUri: `https://nvd.nist.gov/vuln/detail/${id.toUpperCase()}` } : {}),
        help: { text: x.action(f) },
        defaultConfiguration: { level: LEVEL[f.severity] },
        properties: {
          category: f.category,
          tags: ['security', f.category],
          'security-severity': (cvss?.score ?? SCORE[f.severity]).toFixed(1),
        },
      });
    }
    const d = x.damage(f);
    const text = [x.title(f), `${messages.t(lang, 'report.f.action')}: ${x.action(f)}`].join('\n');
    return {
      ruleId: id,
      ruleIndex: index,
      level: LEVEL[f.severity],
      message: { text },
      locations: location(f),
      partialFingerprints: { 'mamoriFindingId/v1': f.id },
      properties: {
        category: f.category,
        severity: f.severity,
        cves: f.cves ?? [],
        priority: f.remediation.priority,
        ...(f.remediation.command ? { command: f.remediation.command } : {}),
        ...(f.remediation.reviewBy ? { reviewBy: f.remediation.reviewBy } : {}),
        ...(f.rank !== undefined ? { rank: f.rank } : {}),
        ...(f.confidence !== undefined ? { confidence: f.confidence } : {}),
        ...(f.component ? { component: f.component } : {}),
        ...(cvss ? { cvss: cvss.score } : {}),
        ...(ev.kev === true ? { kev: true } : {}),
        damage: { customers: d.customers, organisation: d.organisation },
      },
    };
  });
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'mamori', version: doc.tool.version, semanticVersion: doc.tool.version, rules } },
        invocations: [
          {
            executionSuccessful: true,
            endTimeUtc: doc.scannedAt,
            toolExecutionNotifications: doc.gaps.map((g) => ({ level: 'warning', message: { text: `${x.gap(g).what}: ${x.gap(g).why}` }, ...(g.code ? { descriptor: { id: g.code } } : {}) })),
          },
        ],
        automationDetails: { id: `mamori/${doc.target.kind}/${doc.target.name}/` },
        language: lang === 'ja' ? 'ja-JP' : 'en-US',
        results,
        properties: { target: doc.target, scannedAt: doc.scannedAt, summary: doc.summary, ...(doc.knowledge.snapshot ? { knowledgeSnapshot: doc.knowledge.snapshot } : {}) },
      },
    ],
  };
}

export async function renderSarif(doc: ReportDocument, opts: RenderOptions): Promise<string> {
  return `${JSON.stringify(buildSarif(doc, opts.lang), null, 2)}\n`;
}
