/** Render a document's findings in another language from their message codes (titles, actions, damage). */
import type { Finding, Lang } from '../model.js';
import { messages } from '../messages/index.js';

export function localize(findings: readonly Finding[], lang: Lang): Finding[] {
  return findings.map((f) => {
    const g: Finding = { ...f };
    if (f.message && messages.has(f.message.code)) g.title = messages.render(lang, f.message);
    if (f.remediation.actionMessage && messages.has(f.remediation.actionMessage.code)) {
      g.remediation = { ...f.remediation, action: messages.render(lang, f.remediation.actionMessage) };
    }
    if (f.remediation.steps?.some((st) => st.actionMessage)) {
      g.remediation = {
        ...g.remediation,
        steps: f.remediation.steps.map((st) => (st.actionMessage && messages.has(st.actionMessage.code) ? { ...st, action: messages.render(lang, st.actionMessage) } : st)),
      };
    }
    const code = f.damage?.code;
    if (code && messages.has(`${code}.customers`)) {
      g.damage = { code, customers: messages.t(lang, `${code}.customers`), organisation: messages.t(lang, `${code}.organisation`) };
    }
    return g;
  });
}
