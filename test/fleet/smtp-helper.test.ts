/** The SMTP test helper itself: a message sent with nodemailer arrives parsed; a refusing server refuses. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import { startSmtpServer } from '../helpers/smtp.js';

test('smtp helper receives a message with its attachment, and refuses while failing', async () => {
  const smtp = await startSmtpServer();
  try {
    const t = nodemailer.createTransport(smtp.url);
    await t.sendMail({ from: 'mamori@example.test', to: ['a@example.test', 'b@example.test'], subject: '件名 テスト', text: '本文', attachments: [{ filename: 'r.pdf', content: Buffer.from('%PDF-1.7 x') }] });
    const [m] = await smtp.waitFor(1);
    assert.deepEqual(m!.to, ['a@example.test', 'b@example.test']);
    assert.equal(m!.subject, '件名 テスト');
    assert.equal(m!.text.trim(), '本文');
    assert.equal(m!.attachments[0]!.content.subarray(0, 4).toString(), '%PDF');
    smtp.setFailure({ code: 451, message: 'try later' });
    await assert.rejects(t.sendMail({ from: 'mamori@example.test', to: 'a@example.test', subject: 's', text: 't' }), /451/);
    assert.equal(smtp.refused, 1);
    t.close();
  } finally {
    await smtp.close();
  }
});
