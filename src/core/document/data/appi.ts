/**
 * What the Act on the Protection of Personal Information (個人情報の保護に関する法律, Act No. 57 of 2003; APPI)
 * asks of a business whose customer data is exposed, as the law stands since the amendments in force from
 * 2022-04-01 (article numbers as renumbered then). Facts with their source, in both languages; shown in the
 * owner's report only where personal data is exposed or sent unencrypted. Not legal advice: the report says so.
 *
 * Review this entry by `APPI_REVIEW_BY` (the Act is reviewed every three years; an amendment would move or
 * change these articles and the Commission's rules).
 */

export const APPI_REVIEW_BY = '2027-06-30';
/** The state of the law this text describes. */
export const APPI_AS_OF = '2022-04-01';

export interface LawSource {
  /** Message code of the source's name. */
  name: string;
  url: string;
}

export interface LawPoint {
  key: string;
  /** Article (or rule) cited, as printed: `第23条` / `Art. 23`. Message codes. */
  cite: string;
  /** What it asks, plainly. Message code. */
  text: string;
  sources: readonly LawSource[];
}

const LAW: LawSource = { name: 'proposal.law.src.act', url: 'https://laws.e-gov.go.jp/law/415AC0000000057' };
const RULES: LawSource = { name: 'proposal.law.src.rules', url: 'https://laws.e-gov.go.jp/law/428M60020000003' };
const GUIDELINE: LawSource = { name: 'proposal.law.src.guideline', url: 'https://www.ppc.go.jp/personalinfo/legal/guidelines_tsusoku/' };
const LEAK_PAGE: LawSource = { name: 'proposal.law.src.leak', url: 'https://www.ppc.go.jp/personalinfo/legal/leakAction/' };

/** In the order an owner needs them: prevent, supervise, and when it happened, report and notify. */
export const APPI_POINTS: readonly LawPoint[] = [
  { key: 'safety', cite: 'proposal.law.cite.art23', text: 'proposal.law.art23', sources: [LAW, GUIDELINE] },
  { key: 'employees', cite: 'proposal.law.cite.art24', text: 'proposal.law.art24', sources: [LAW, GUIDELINE] },
  { key: 'contractors', cite: 'proposal.law.cite.art25', text: 'proposal.law.art25', sources: [LAW, GUIDELINE] },
  { key: 'report', cite: 'proposal.law.cite.art26', text: 'proposal.law.art26', sources: [LAW, RULES, LEAK_PAGE] },
  { key: 'cases', cite: 'proposal.law.cite.rule7', text: 'proposal.law.rule7', sources: [RULES, GUIDELINE] },
  { key: 'deadlines', cite: 'proposal.law.cite.rule8', text: 'proposal.law.rule8', sources: [RULES, GUIDELINE, LEAK_PAGE] },
  { key: 'notify', cite: 'proposal.law.cite.rule10', text: 'proposal.law.rule10', sources: [RULES, GUIDELINE] },
];
