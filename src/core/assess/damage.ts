/**
 * The damage: for each category, what can happen to visitors and customers and to the organisation, from
 * the catalog (assess.damage.<key>.customers / .organisation, English and Japanese).
 */
import type { Category, Finding, Lang } from '../model.js';
import { msg, tr } from './context.js';

const BY_CATEGORY: Record<Category, string> = {
  vulnerability: 'vulnerability',
  'missing-security-update': 'missingUpdate',
  'end-of-life': 'eol',
  'outdated-application': 'outdatedApp',
  'personal-data-exposure': 'personalData',
  'sensitive-file-exposure': 'sensitiveFile',
  'plaintext-transport': 'plaintext',
  'weak-tls': 'weakTls',
  certificate: 'certificate',
  'security-header': 'securityHeader',
  cookie: 'cookie',
  'information-disclosure': 'infoDisclosure',
};

const MAILFORMS = new Set(['formmail', 'kent-postmail', 'kent-clipmail', 'mailform-pro']);
const CARTS = new Set(['ec-cube', 'welcart', 'zen-cart', 'oscommerce']);

export function damageKey(f: Finding): string {
  if (f.category === 'vulnerability' && (f.evidence as { kev?: boolean } | undefined)?.kev) return 'vulnerabilityKev';
  if (f.category === 'outdated-application' && MAILFORMS.has(f.component?.name ?? '')) return 'mailform';
  if (f.category === 'outdated-application' && CARTS.has(f.component?.name ?? '')) return 'cart';
  return BY_CATEGORY[f.category];
}

export function damageFor(f: Finding, lang: Lang): NonNullable<Finding['damage']> {
  const key = damageKey(f);
  return {
    code: `assess.damage.${key}`,
    customers: tr(lang, msg(`assess.damage.${key}.customers`)),
    organisation: tr(lang, msg(`assess.damage.${key}.organisation`)),
  };
}
