import { defineCatalog } from '../i18n.js';

export const secretMessages = defineCatalog({
  en: {
    'secret.rotate.summary': 're-encrypt every stored secret (SSH keys, known_hosts, TOTP, webhook URLs) of the fleet store with a new key, in one transaction',
    'secret.opt.database': 'fleet database: postgres://… or a SQLite file (default $DATABASE_URL, else $MAMORI_HOME/fleet.sqlite)',
    'secret.opt.newKeyFile': 'file (mode 0600) holding the new key, base64 or hex of 32 bytes; required when MAMORI_SECRET_KEY is set',
    'secret.error': '{reason}',
    'secret.hint': 'hint: {hint}',
    'secret.rotate.needNewKey': 'MAMORI_SECRET_KEY is set, so the new key cannot be written for you: give it with --new-key-file FILE (mode 0600; make one with `openssl rand -base64 32 > FILE`), then set MAMORI_SECRET_KEY to it',
    'secret.rotate.sameKey': 'the new key is the key in use ({id}); nothing to rotate',
    'secret.rotate.foreign': 'stored secrets were encrypted with other keys ({ids}), neither the current key {old} nor the new key {new}; nothing was changed',
    'secret.rotate.done': 'rotated {count, plural, one {# secret} other {# secrets}} from key {old} to key {new} ({database}).',
    'secret.rotate.keyFile': 'the new key is in {path} (mode 0600); the old key was removed.',
    'secret.rotate.setEnv': 'now set MAMORI_SECRET_KEY to the contents of {path} for every server and worker, and restart them.',
  },
  ja: {
    'secret.rotate.summary': 'フリートストアに保存したすべての秘密情報 (SSH 鍵、known_hosts、TOTP、Webhook URL) を新しい鍵で 1 つのトランザクションの中で暗号化し直す',
    'secret.opt.database': 'フリートのデータベース: postgres://… または SQLite ファイル (既定値 $DATABASE_URL、なければ $MAMORI_HOME/fleet.sqlite)',
    'secret.opt.newKeyFile': '新しい鍵 (32 バイトの base64 または 16 進) を入れたファイル (モード 0600)。MAMORI_SECRET_KEY を設定しているときは必須',
    'secret.error': '{reason}',
    'secret.hint': 'ヒント: {hint}',
    'secret.rotate.needNewKey': 'MAMORI_SECRET_KEY が設定されているため、新しい鍵をファイルに書き出せません。--new-key-file FILE で新しい鍵を指定し (モード 0600。`openssl rand -base64 32 > FILE` で作成)、そのあと MAMORI_SECRET_KEY をその値に設定してください',
    'secret.rotate.sameKey': '新しい鍵は使用中の鍵 ({id}) と同じです。入れ替えるものはありません',
    'secret.rotate.foreign': '保存された秘密情報は鍵 {ids} で暗号化されており、現在の鍵 {old} でも新しい鍵 {new} でもありません。何も変更していません',
    'secret.rotate.done': '{count} 件の秘密情報を鍵 {old} から鍵 {new} に暗号化し直しました ({database})。',
    'secret.rotate.keyFile': '新しい鍵は {path} (モード 0600) にあります。古い鍵は削除しました。',
    'secret.rotate.setEnv': 'すべてのサーバーとワーカーで MAMORI_SECRET_KEY を {path} の内容に設定し、再起動してください。',
  },
});
