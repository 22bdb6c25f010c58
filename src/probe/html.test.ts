import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parsePage, resolveRef } from './html.js';
import { ComponentSet, detectInResponse, distroHints } from './fingerprint.js';

describe('HTML reading for crawl and form checks', () => {
  it('reads forms with their inputs, generator meta, scripts; ignores commented-out markup', () => {
    const p = parsePage(`<html><head><meta name=generator content="WordPress 4.9.8"><title>会員 &amp; 登録</title>
      <script src='/js/jquery-1.4.2.min.js'></script></head><body>
      <!-- <form action="http://old.example.jp/"><input type=password name=x></form> -->
      <FORM METHOD=POST ACTION="http://shop.example.jp/entry/kakunin.php"><input type="text" name="name01"><INPUT TYPE=password NAME=password><select name="pref"></select></FORM>
      <a href="javascript:void(0)">x</a><a href="/a?b=1&amp;c=2">y</a></body></html>`);
    assert.equal(p.title, '会員 & 登録');
    assert.deepEqual(p.generator, ['WordPress 4.9.8']);
    assert.deepEqual(p.scripts, ['/js/jquery-1.4.2.min.js']);
    assert.equal(p.forms.length, 1);
    assert.deepEqual(p.forms[0], { action: 'http://shop.example.jp/entry/kakunin.php', method: 'post', inputs: [{ name: 'name01', type: 'text' }, { name: 'password', type: 'password' }, { name: 'pref', type: 'select' }] });
    assert.deepEqual(p.links, ['javascript:void(0)', '/a?b=1&c=2']);
    assert.equal(resolveRef('javascript:void(0)', 'https://x.jp/'), undefined);
    assert.equal(resolveRef('/a#top', 'https://x.jp/b/')?.href, 'https://x.jp/a');
  });

  it('never throws on arbitrary text (property)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (s) => void parsePage(`<form>${s}<input name="${s}">`)));
  });
});

describe('remote fingerprints', () => {
  it('splits a Server banner into components and marks distribution builds', () => {
    const headers = { server: 'Apache/2.4.6 (CentOS) OpenSSL/1.0.2k-fips PHP/5.4.16', 'x-powered-by': 'PHP/5.4.16' };
    const set = new ComponentSet();
    for (const d of detectInResponse('http://x/', headers, ['PHPSESSID'])) set.add(d);
    set.addHints(distroHints(headers));
    const c = Object.fromEntries(set.components().map((x) => [x.name, x]));
    assert.equal(c['apache-httpd']?.version, '2.4.6');
    assert.equal(c.openssl?.version, '1.0.2k');
    assert.equal(c.php?.version, '5.4.16');
    assert.ok(c['apache-httpd']?.distroBuild && c.php?.distroBuild && c.openssl?.distroBuild);
    assert.deepEqual([set.os()?.family, set.os()?.version], ['centos', '7']);
  });

  it('keeps an upstream build without a hint as it is', () => {
    const set = new ComponentSet();
    for (const d of detectInResponse('http://x/', { server: 'nginx/1.10.3' }, [])) set.add(d);
    const n = set.components()[0]!;
    assert.deepEqual([n.name, n.version, n.distroBuild], ['nginx', '1.10.3', undefined]);
    assert.equal(set.os(), undefined);
  });
});
