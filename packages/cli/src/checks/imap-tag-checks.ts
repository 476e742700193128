/**
 * IMAP tag checks: three commands pipelined with unusual legal tags (RFC 9051 §5.5), a tag
 * of every character the grammar allows (§9), a tag reused (§2.2.1), and an unknown
 * command's tagged BAD (§2.2.2). NOOP and CAPABILITY only.
 */
import type { BehaviourCheck } from './behaviour.js';
import { EVERY_TAG_CHAR, statusOf, tagged } from './imap-check-commands.js';
import { replyTo, said, stillAnswers, withSession } from './imap-check-session.js';

export const pipelined: BehaviourCheck = {
  id: 'tags-pipelined',
  rfc: 'RFC 9051 §5.5',
  async run(ctx, verdict) {
    // Legal tags with characters a sloppy tag reader trips on; one write, three commands.
    const tags = ['mw.1', 'mw!2', '#mw~3'];
    await withSession(ctx, false, async ({ conn }) => {
      await conn.send(`${tags[0]} NOOP\r\n${tags[1]} CAPABILITY\r\n${tags[2]} NOOP\r\n`);
      const seen: string[] = [];
      const wrong: string[] = [];
      // Each command ends in one completion: its tagged reply, a reply under a wrong tag, or the
      // untagged BAD of a tag the server could not read. §5.5 lets the server answer in any order.
      let completions = 0;
      while (completions < tags.length) {
        const line = await conn.line();
        if (line === null) break;
        const tag = line.split(' ')[0]!;
        if (tags.includes(tag)) {
          seen.push(tag);
          completions++;
          if (statusOf(line) !== 'OK') wrong.push(line);
        } else if (tag !== '*' && tag !== '+') {
          wrong.push(line);
          completions++;
        } else if (/^\* BAD\b/i.test(line)) {
          wrong.push(line);
          completions++;
        } else if (/^\* BYE\b/i.test(line)) wrong.push(line);
      }
      const missing = tags.filter((t) => !seen.includes(t));
      const twice = tags.filter((t) => seen.filter((s) => s === t).length > 1);
      if (wrong.length > 0 || missing.length > 0 || twice.length > 0) {
        const parts = [...wrong.map((l) => `answered ${said(l)}`), ...(missing.length ? [`no tagged reply for ${missing.join(', ')}`] : []), ...(twice.length ? [`two replies for ${twice.join(', ')}`] : [])];
        verdict('fail', `three commands in one write (tags ${tags.join(' ')}): ${parts.join('; ')}`);
      } else {
        const order = seen.join(' ') === tags.join(' ') ? 'in order' : `in the order ${seen.join(' ')} (§5.5 allows that)`;
        verdict('pass', `three commands in one write, each answered OK with its own tag, ${order}`);
      }
    });
  },
};

export const tagCharacters: BehaviourCheck = {
  id: 'tag-syntax',
  rfc: 'RFC 9051 §9',
  async run(ctx, verdict) {
    await withSession(ctx, false, async (o) => {
      await o.conn.send(`${EVERY_TAG_CHAR} NOOP\r\n`);
      // A server that cannot read the tag answers with an untagged BAD; the NOOP after it tells when to stop.
      const t = o.tag();
      await o.conn.send(`${t} NOOP\r\n`);
      const lines = await replyTo(o.conn, t);
      const answer = lines.find(tagged(EVERY_TAG_CHAR)) ?? lines.find((l) => /^\* (BAD|BYE)\b/i.test(l)) ?? lines.at(-1);
      if (answer !== undefined && tagged(EVERY_TAG_CHAR)(answer) && statusOf(answer) === 'OK') verdict('pass', `a tag of every character the grammar allows (${EVERY_TAG_CHAR}) is answered OK with that tag`);
      else verdict('fail', `the tag ${EVERY_TAG_CHAR} (1*<any ASTRING-CHAR except "+">, "]" included) got ${said(answer)}`);
    });
  },
};

export const tagReuse: BehaviourCheck = {
  id: 'tag-reuse',
  rfc: 'RFC 9051 §2.2.1',
  async run(ctx, verdict) {
    await withSession(ctx, false, async ({ conn }) => {
      const tag = 'mw.1';
      const answers: (string | undefined)[] = [];
      for (let i = 0; i < 2; i++) {
        await conn.send(`${tag} NOOP\r\n`);
        const last = (await replyTo(conn, tag)).at(-1);
        answers.push(last);
        if (!(last !== undefined && tagged(tag)(last) && statusOf(last) === 'OK')) break;
      }
      if (answers.length === 2 && statusOf(answers[1]) === 'OK') verdict('pass', `the tag ${tag} used twice, one command after the other: both answered OK (a server MUST accept tag reuse)`);
      else verdict('fail', `the tag ${tag} used ${answers.length === 1 ? 'once' : 'a second time'}: ${said(answers.at(-1))}`);
    });
  },
};

export const unknownCommand: BehaviourCheck = {
  id: 'unknown-command',
  rfc: 'RFC 9051 §2.2.2',
  async run(ctx, verdict) {
    await withSession(ctx, false, async (o) => {
      const t = o.tag();
      await o.conn.send(`${t} MAILWIRECHECK\r\n`);
      const last = (await replyTo(o.conn, t)).at(-1);
      if (!(last !== undefined && tagged(t)(last) && statusOf(last) === 'BAD')) {
        verdict('fail', `an unknown command must get a tagged BAD; got ${said(last)}`);
        return;
      }
      if (await stillAnswers(o)) verdict('pass', `an unknown command gets a tagged BAD (${said(last)}) and the connection goes on`);
      else verdict('fail', `after the tagged BAD for an unknown command, a NOOP was not answered OK: a BAD must not change the connection's state (RFC 9051 §6)`);
    });
  },
};
