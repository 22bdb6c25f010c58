import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ALLOWLIST, argv as scanArgv, type CommandId } from '../collect/transport/allowlist.js';
import { isAllowlistedRemote, newDelimiter, renderInvocation } from '../collect/transport/remote.js';
import { APPLY_ALLOWLIST, ApplyAllowlistError, applyArgv, applyCommandArgs, applyCommandsOf, MUTATING, type ApplyCommandId } from './allowlist.js';

/** What the SSH transport sends for one apply command (execApply), and for one scan command (run). */
const applyRemoteCommand = (args: string[], sudo: boolean) => renderInvocation([{ args: applyCommandArgs(args), sudo }], newDelimiter());
const remoteCommand = (args: string[], sudo: boolean) => renderInvocation([{ args, sudo }], newDelimiter());
const isApplyAllowlistedRemote = (c: string) => {
  const ids = applyCommandsOf(c);
  return ids?.length === 1 ? { id: ids[0]! } : undefined;
};

const params = { names: 'minihttpd libssl3:amd64', pins: 'minihttpd=1.0-1 libssl3=3.0.11-1~deb12u2', service: 'php8.2-fpm', txid: '42' };

/** What changes a server, as the first words of a command: package installs, services, files, locks. */
const MUTATING_WORDS = /^(apt-get (?!-s\b).*(install|upgrade|update|remove|purge)|apt (install|upgrade|update|remove)|(yum|dnf) (?!-C|.*--assumeno)(-\S+ )*(update|upgrade|install|remove|erase|history undo|makecache)|apk (add|upgrade|update|del)|rpm -(U|i|e)|dpkg -(i|r|P|-install|-remove)|service |systemctl (restart|start|stop|reload)|mkdir|rmdir|rm |mv |cp |chmod|chown|kill|reboot|shutdown|tee|dd )/;

test('the scan allowlist stays read-only: none of its commands changes anything', () => {
  for (const [id, args] of Object.entries(ALLOWLIST)) assert.ok(!MUTATING_WORDS.test(args.join(' ')), `${id}: ${args.join(' ')}`);
  // …and no apply command, rendered, passes the scan checker (the two lists are apart).
  for (const id of Object.keys(APPLY_ALLOWLIST) as ApplyCommandId[]) {
    const cmd = applyRemoteCommand(applyArgv(id, params), false);
    assert.equal(isAllowlistedRemote(cmd), false, id);
  }
});

test('every mutating apply command is marked mutating, and the read-only ones are not', () => {
  for (const id of Object.keys(APPLY_ALLOWLIST) as ApplyCommandId[]) {
    const words = applyArgv(id, params).join(' ');
    assert.equal(MUTATING.has(id), MUTATING_WORDS.test(words), `${id}: ${words}`);
  }
});

test('every apply command renders to a remote command the apply checker accepts, under its own id', () => {
  for (const id of Object.keys(APPLY_ALLOWLIST) as ApplyCommandId[]) for (const sudo of [false, true]) assert.deepEqual(isApplyAllowlistedRemote(applyRemoteCommand(applyArgv(id, params), sudo)), { id }, id);
});

test('scan commands are not apply commands: the apply checker refuses them', () => {
  const p = { path: '/var/www/html', bytes: '1024', depth: '8', bin: '/usr/bin/php8.2', names: 'php8.2-cli nginx', webbin: '/usr/local/apache2/bin/httpd' } as Parameters<typeof scanArgv>[1];
  let rendered = 0;
  for (const id of Object.keys(ALLOWLIST) as CommandId[]) {
    let args: string[];
    try {
      args = scanArgv(id, p);
    } catch {
      continue; // a placeholder this test has no sample for (the scan allowlist's own test covers it)
    }
    rendered++;
    const hit = isApplyAllowlistedRemote(remoteCommand(args, false));
    assert.ok(!hit, `${id} rendered with the scan environment is not an apply command`);
  }
  assert.ok(rendered >= Object.keys(ALLOWLIST).length - 2, `rendered ${rendered} scan commands`);
});

test('values that could escape are refused before anything runs', () => {
  assert.throws(() => applyArgv('aptUpgrade', { names: 'minihttpd; reboot' }), ApplyAllowlistError);
  assert.throws(() => applyArgv('aptUpgrade', { names: '-o APT::Foo=1' }), ApplyAllowlistError);
  assert.throws(() => applyArgv('aptUpgrade', { names: '' }), ApplyAllowlistError);
  assert.throws(() => applyArgv('aptReinstall', { pins: 'minihttpd' }), ApplyAllowlistError, 'a pin names its version');
  assert.throws(() => applyArgv('aptReinstall', { pins: 'minihttpd=1.0 $(id)' }), ApplyAllowlistError);
  assert.throws(() => applyArgv('restart', { service: '../../bin/sh' }), ApplyAllowlistError);
  assert.throws(() => applyArgv('restart', { service: '-h' }), ApplyAllowlistError);
  assert.throws(() => applyArgv('dnfUndo', { txid: '0' }), ApplyAllowlistError);
  for (const bad of ['rm -rf /', `${applyRemoteCommand(applyArgv('restart', params), false)}; reboot`, applyRemoteCommand(['apt-get', 'remove', 'nginx'], false), applyRemoteCommand(['service', 'nginx', 'stop'], false), remoteCommand(['service', 'nginx', 'restart'], false)])
    assert.equal(isApplyAllowlistedRemote(bad), undefined, bad);
});

test('package names and services round-trip through rendering and checking (property)', () => {
  const name = fc.stringMatching(/^[a-z0-9][a-z0-9+._-]{0,20}$/);
  fc.assert(
    fc.property(fc.array(name, { minLength: 1, maxLength: 6 }), (names) => {
      const cmd = applyRemoteCommand(applyArgv('aptUpgrade', { names: names.join(' ') }), false);
      assert.deepEqual(isApplyAllowlistedRemote(cmd), { id: 'aptUpgrade' });
      assert.equal(isAllowlistedRemote(cmd), false);
    }),
  );
});
