import { defineCatalog } from '../i18n.js';

/** Messages of `mamori version compare|satisfies` and of version issues shown to users. */
export const versioningMessages = defineCatalog({
  en: {
    'versioning.compare.summary': 'print -1, 0 or 1: the sign of compare(A, B) in ecosystem E',
    'versioning.satisfies.summary':
      'print true or false: does VERSION fall in RANGE (composer, semver: their own syntax; others: ">=1.2-3, <1.2-5 || =2.0")',
    'versioning.invalidVersion': 'not a valid {ecosystem} version "{input}": {reason}',
    'versioning.invalidRange': 'not a valid {ecosystem} range "{input}": {reason}',
    'versioning.incomparable': 'cannot be compared: {reason}',
    'versioning.other': '{reason}',
    'versioning.malformed': '"{input}" is a malformed {ecosystem} version ({reason}); ordered as the {ecosystem} tool orders it',
    'versioning.warning': 'mamori: warning: {message}',
  },
  ja: {
    'versioning.compare.summary': '-1、0、1 を表示する: エコシステム E における compare(A, B) の符号',
    'versioning.satisfies.summary':
      'true か false を表示する: VERSION が RANGE に含まれるか (composer と semver は各自の構文、その他は ">=1.2-3, <1.2-5 || =2.0")',
    'versioning.invalidVersion': '"{input}" は {ecosystem} のバージョンとして正しくありません: {reason}',
    'versioning.invalidRange': '"{input}" は {ecosystem} の範囲指定として正しくありません: {reason}',
    'versioning.incomparable': '比較できません: {reason}',
    'versioning.other': '{reason}',
    'versioning.malformed': '"{input}" は {ecosystem} のバージョンとして不正な形式です ({reason})。{ecosystem} のツールと同じ順序で比較しました',
    'versioning.warning': 'mamori: 警告: {message}',
  },
});
