/** fast-check generators of valid version strings, one per ecosystem (shared by the law suite and the benchmark). */
import fc from 'fast-check';
import type { VersionEcosystem } from '../../src/core/versioning/types.js';

const digits = (max = 4) => fc.stringMatching(new RegExp(`^[0-9]{1,${max}}$`));
const num = () => fc.oneof(fc.integer({ min: 0, max: 20 }).map(String), digits(6));
const lower = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'.split(''));
const word = (max = 5) => fc.stringMatching(new RegExp(`^[a-zA-Z]{1,${max}}$`));

const rpmPart = fc
  .array(fc.oneof(num(), word(), fc.constantFrom('~', '^', '.', '_', '+', 'rc', 'git')), { minLength: 1, maxLength: 7 })
  .map((xs) => xs.join(fc.sample(fc.constantFrom('.', ''), 1)[0]))
  .filter((s) => s.length > 0);
export const rpm = fc
  .tuple(fc.option(fc.integer({ min: 0, max: 3 })), rpmPart, fc.option(rpmPart))
  .map(([e, v, r]) => `${e === null ? '' : `${e}:`}${v}${r === null ? '' : `-${r}`}`);

const dpkgUp = fc.tuple(num(), fc.stringMatching(/^[0-9A-Za-z.+~]{0,10}$/)).map(([a, b]) => a + b);
export const dpkg = fc
  .tuple(fc.option(fc.integer({ min: 0, max: 3 })), dpkgUp, fc.option(fc.stringMatching(/^[0-9A-Za-z.+~]{1,8}$/)))
  .map(([e, u, r]) => `${e === null ? '' : `${e}:`}${u}${r === null ? '' : `-${r}`}`);

export const apk = fc
  .record({
    nums: fc.array(num(), { minLength: 1, maxLength: 4 }),
    letter: fc.option(lower),
    suffixes: fc.array(fc.tuple(fc.constantFrom('alpha', 'beta', 'pre', 'rc', 'cvs', 'svn', 'git', 'hg', 'p'), fc.option(digits(3))), { maxLength: 2 }),
    hash: fc.option(fc.stringMatching(/^[0-9a-f]{1,8}$/)),
    rev: fc.option(digits(2)),
  })
  .map(
    (r) =>
      r.nums.join('.') +
      (r.letter ?? '') +
      r.suffixes.map(([s, n]) => `_${s}${n ?? ''}`).join('') +
      (r.hash === null ? '' : `~${r.hash}`) +
      (r.rev === null ? '' : `-r${r.rev}`),
  );

const semverNum = fc.integer({ min: 0, max: 30 }).map(String);
const preId = fc.oneof(semverNum, fc.stringMatching(/^[0-9A-Za-z-]{0,5}[A-Za-z-][0-9A-Za-z-]{0,3}$/));
export const semver = fc
  .tuple(semverNum, semverNum, semverNum, fc.option(fc.array(preId, { minLength: 1, maxLength: 3 })), fc.option(fc.array(fc.stringMatching(/^[0-9A-Za-z-]{1,4}$/), { minLength: 1, maxLength: 2 })))
  .map(([a, b, c, pre, build]) => `${a}.${b}.${c}${pre ? `-${pre.join('.')}` : ''}${build ? `+${build.join('.')}` : ''}`);

const composerNumbered = fc
  .record({
    v: fc.boolean(),
    parts: fc.array(fc.integer({ min: 0, max: 12 }).map(String), { minLength: 1, maxLength: 4 }),
    stability: fc.option(fc.tuple(fc.constantFrom('-', '.', '', '_'), fc.constantFrom('alpha', 'beta', 'RC', 'rc', 'a', 'b', 'p', 'pl', 'patch', 'stable'), fc.option(fc.integer({ min: 0, max: 9 }).map(String)))),
    dev: fc.boolean(),
  })
  .map((r) => `${r.v ? 'v' : ''}${r.parts.join('.')}${r.stability ? r.stability.join('') : ''}${r.dev ? '-dev' : ''}`);
export const composer = fc.oneof(
  { weight: 8, arbitrary: composerNumbered },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z0-9]{1,6}$/).map((b) => `dev-${b}`) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 0, max: 9 }), fc.option(fc.integer({ min: 0, max: 9 }))).map(([a, b]) => `${a}${b === null ? '' : `.${b}`}.x-dev`) },
);

export const php = fc
  .array(fc.oneof(num(), fc.constantFrom('dev', 'alpha', 'a', 'beta', 'b', 'RC', 'rc', 'pl', 'p', 'foo', 'x'), fc.constantFrom('.', '-', '_', '+')), { minLength: 1, maxLength: 7 })
  .map((xs) => xs.join(''))
  .filter((s) => /^[0-9]/.test(s) && /[0-9A-Za-z]$/.test(s));

export const generic = fc
  .record({
    nums: fc.array(num(), { minLength: 1, maxLength: 4 }),
    tail: fc.option(
      fc.oneof(
        lower,
        fc.tuple(fc.constantFrom('-', '', '.'), fc.constantFrom('rc', 'RC', 'beta', 'alpha', 'b', 'dev', 'pre'), fc.option(digits(2))).map((t) => t.map((x) => x ?? '').join('')),
        fc.tuple(fc.constantFrom('p', 'pl', 'patch'), digits(2)).map((t) => t.join('')),
        fc.constantFrom('-log', '-community', '-MariaDB', '+deb12u1'),
      ),
    ),
  })
  .map((r) => r.nums.join('.') + (r.tail ?? ''));

export const VALID: { readonly [E in VersionEcosystem]: fc.Arbitrary<string> } = { rpm, dpkg, apk, semver, composer, php, generic };

/**
 * Malformed versions the reference tools still order: dpkg versions with a non-digit start or characters
 * outside dpkg's sets (punctuation, non-ASCII), and apk versions that turn invalid part-way (unknown
 * suffixes, a second letter, a bare `-`, upper case). Each parses (dpkg warns, apk's validation fails).
 */
const dpkgOdd = fc
  .tuple(fc.stringMatching(/^[0-9A-Za-z.+~]{0,4}$/), fc.constantFrom(...'_!@#%&=,;^*é'.split('')), fc.stringMatching(/^[0-9A-Za-z.+~_!@é]{0,4}$/))
  .map(([a, b, c]) => a + b + c);
export const dpkgMalformed = fc
  .tuple(fc.option(fc.integer({ min: 0, max: 2 })), fc.oneof(fc.tuple(num(), dpkgOdd).map(([a, b]) => a + b), fc.tuple(word(3), fc.stringMatching(/^[0-9A-Za-z.+~]{0,6}$/)).map(([a, b]) => a + b)), fc.option(fc.oneof(dpkgOdd, fc.stringMatching(/^[0-9a-z.+~]{1,4}$/))))
  .map(([e, u, r]) => `${e === null ? '' : `${e}:`}${u}${r === null ? '' : `-${r}`}`);
export const apkMalformed = fc
  .tuple(apk, fc.constantFrom('_foo', 'yz', '-1', '_rc1a', 'Z', '~x', '-r1-r2', '!'), fc.stringMatching(/^[0-9a-z._~-]{0,4}$/))
  .map(([v, bad, tail]) => v + bad + tail);
