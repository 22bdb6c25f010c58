/**
 * Forms that take personal data or passwords over plain HTTP, and mixed content on https pages.
 */
import { resolveRef, type PageInfo } from '../html.js';
import { type Ctx, addFinding, pathOf } from './context.js';

export const PERSONAL_FIELD_RE = /pass|name0?[12]?$|^name|kana|furigana|tel|phone|fax|mail|zip|postal|post_?code|addr|pref|city|birth|card|cvv|cvc|security_?code|kojin|shimei|jusho|denwa|住所|電話|氏名|名前|フリガナ|郵便|メール|生年月日|カード/i;
export const SEARCH_FIELD_RE = /^(q|s|search|keyword|kw|query|word|name=?search)$/i;

export function formChecks(c: Ctx, pages: { url: string; page: PageInfo }[], httpServesPages: boolean): { url: string }[] {
  const recheckOnHttp: { url: string }[] = [];
  let mixedActive: string[] = [];
  let mixedPassive: string[] = [];
  let mixedPage = '';
  for (const { url, page } of pages) {
    const pageUrl = new URL(url);
    for (const f of page.forms) {
      const action = resolveRef(f.action || url, url) ?? pageUrl;
      const named = f.inputs.filter((i) => i.type !== 'hidden' && i.type !== 'submit' && i.type !== 'button');
      const password = named.some((i) => i.type === 'password');
      const personal = named.filter((i) => PERSONAL_FIELD_RE.test(i.name) || i.type === 'email' || i.type === 'tel');
      const searchOnly = named.length > 0 && named.every((i) => SEARCH_FIELD_RE.test(i.name) || i.type === 'search');
      if (searchOnly || (!password && personal.length === 0)) continue;
      const fields = [...new Set([...(password ? ['password'] : []), ...personal.map((i) => i.name || i.type)])].slice(0, 12);
      if (action.protocol === 'http:' && (pageUrl.protocol === 'https:' || action.host !== pageUrl.host)) {
        addFinding(c, 'transport.form-http-action', `${pathOf(url)} -> ${action.origin}${action.pathname}`, { page: url, action: action.href.split('?')[0]! }, {
          location: url,
          evidence: { page: url, action: action.href.split('?')[0], method: f.method, fields, crossHost: action.host !== pageUrl.host },
          severity: password || personal.length >= 2 ? 'high' : 'medium',
        });
      }
      if (pageUrl.protocol === 'http:') {
        addFinding(c, 'transport.form-on-http-page', pathOf(url), { page: url }, {
          location: url,
          evidence: { page: url, action: action.href.split('?')[0], fields },
          severity: password || personal.length >= 2 ? 'high' : 'medium',
        });
      } else if (httpServesPages && !recheckOnHttp.some((x) => x.url === url)) recheckOnHttp.push({ url });
    }
    if (pageUrl.protocol === 'https:') {
      const active = page.subresources.filter((s) => ['script', 'iframe', 'link', 'embed'].includes(s.tag) && /^http:\/\//i.test(s.url)).map((s) => s.url);
      const passive = page.subresources.filter((s) => !['script', 'iframe', 'link', 'embed'].includes(s.tag) && /^http:\/\//i.test(s.url)).map((s) => s.url);
      if ((active.length || passive.length) && !mixedPage) mixedPage = url;
      mixedActive = [...new Set([...mixedActive, ...active])];
      mixedPassive = [...new Set([...mixedPassive, ...passive])];
    }
  }
  if (mixedActive.length || mixedPassive.length) {
    addFinding(c, 'transport.mixed-content', 'site', { page: mixedPage, count: mixedActive.length + mixedPassive.length }, {
      location: mixedPage,
      evidence: { active: mixedActive.slice(0, 10), passive: mixedPassive.slice(0, 10) },
      severity: mixedActive.length ? 'medium' : 'low',
    });
  }
  return recheckOnHttp;
}
