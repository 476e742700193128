/**
 * The Dovecot lab: a self-contained Dovecot 2.3 (IMAP, POP3, submission) with local JWT
 * validation for XOAUTH2/OAUTHBEARER, plus an aiosmtpd relay sink, all on high loopback
 * ports inside one temp directory, run as an unprivileged system user. Facts from
 * /work/shared/recipes/dovecot-oauth2.md; see interop/README.md.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const LAB_USER = 'mailwire-lab';
export const PACKAGES = ['dovecot-core', 'dovecot-imapd', 'dovecot-pop3d', 'dovecot-submissiond', 'python3-aiosmtpd'];

export interface LabPorts {
  imap: number; imaps: number; pop3: number; pop3s: number; submission: number; submissions: number; sink: number;
}
export interface LabInfo {
  dir: string;
  ports: LabPorts;
  /** 127.0.0.1 counts as secure for Dovecot (client IP = server IP); 127.0.0.2 does not. */
  secureHost: string;
  insecureHost: string;
  ca: string;
  secret: string;
  oauthUser: string;
  passwordUser: string;
  password: string;
  sinkDir: string;
}

/**
 * A port free on both 127.0.0.1 and 127.0.0.2, from the kernel's ephemeral (high) range:
 * never a standard port a system Dovecot may hold, and two interop runs never collide.
 */
function freePort(taken: Set<number>): Promise<number> {
  const listen = (host: string, port: number) => new Promise<Server>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen({ host, port, exclusive: true }, () => resolve(srv));
  });
  const close = (srv: Server) => new Promise<void>((r) => srv.close(() => r()));
  return (async () => {
    for (let attempt = 0; attempt < 50; attempt++) {
      const a = await listen('127.0.0.1', 0);
      const port = (a.address() as AddressInfo).port;
      const b = await listen('127.0.0.2', port).catch(() => null);
      await close(a);
      if (b) await close(b);
      if (b && !taken.has(port)) { taken.add(port); return port; }
    }
    throw new LabSetupError('interop: no free port on both 127.0.0.1 and 127.0.0.2');
  })();
}

const PORT_NAMES = ['imap', 'imaps', 'pop3', 'pop3s', 'submission', 'submissions', 'sink'] as const;
/** Offsets from MAILWIRE_INTEROP_PORT_BASE when fixed ports are wanted (a firewall, a debugger). */
const FIXED_OFFSETS: LabPorts = { imap: 143, imaps: 993, pop3: 110, pop3s: 995, submission: 587, submissions: 465, sink: 25 };

export async function pickPorts(): Promise<LabPorts> {
  const base = Number(process.env.MAILWIRE_INTEROP_PORT_BASE);
  if (Number.isInteger(base) && base > 1024) {
    return Object.fromEntries(PORT_NAMES.map((n) => [n, base + FIXED_OFFSETS[n]])) as unknown as LabPorts;
  }
  const taken = new Set<number>();
  const names = PORT_NAMES;
  const ports = {} as LabPorts;
  for (const n of names) ports[n] = await freePort(taken);
  return ports;
}

class LabSetupError extends Error {}

function run(cmd: string, args: string[], opts: { input?: string } = {}): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...opts });
}

function packageInstalled(name: string): boolean {
  try {
    return run('dpkg-query', ['-W', '-f=${Status}', name]).includes('install ok installed');
  } catch {
    return false;
  }
}

export function ensurePackages(): void {
  const missing = PACKAGES.filter((p) => !packageInstalled(p));
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new LabSetupError(
      `interop: Debian packages missing: ${missing.join(' ')}.\n` +
        `Install them as root:  apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  } catch {
    throw new LabSetupError(`interop: apt-get install ${missing.join(' ')} failed (see its output above)`);
  }
}

function ensureUser(): { uid: number; gid: number } {
  try {
    run('getent', ['passwd', LAB_USER]);
  } catch {
    run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', LAB_USER]);
  }
  return { uid: Number(run('id', ['-u', LAB_USER]).trim()), gid: Number(run('id', ['-g', LAB_USER]).trim()) };
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** An HS256 JWT as Dovecot's local validation wants it: header exactly {"alg":"HS256","typ":"JWT"}. */
export function mintToken(secret: string, claims: { sub: string; exp: number; [k: string]: unknown }): string {
  const head = `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(JSON.stringify(claims))}`;
  return `${head}.${createHmac('sha256', Buffer.from(secret, 'base64')).update(head).digest('base64url')}`;
}

function makeTls(dir: string): string {
  const t = join(dir, 'tls');
  mkdirSync(t);
  run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=mailwire interop CA',
    '-keyout', join(t, 'ca-key.pem'), '-out', join(t, 'ca.pem'), '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', join(t, 'key.pem'), '-out', join(t, 'cert.csr')]);
  writeFileSync(join(t, 'ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:127.0.0.2\nextendedKeyUsage=serverAuth\n');
  run('openssl', ['x509', '-req', '-in', join(t, 'cert.csr'), '-CA', join(t, 'ca.pem'), '-CAkey', join(t, 'ca-key.pem'),
    '-CAcreateserial', '-days', '2', '-extfile', join(t, 'ext.cnf'), '-out', join(t, 'cert.pem')]);
  return readFileSync(join(t, 'ca.pem'), 'utf8');
}

function dovecotConf(lab: string, p: LabPorts, user: string, group: string, uid: number, gid: number): string {
  return `# generated by interop/lab.ts
base_dir = ${lab}/run
state_dir = ${lab}/state
log_path = ${lab}/dovecot.log
protocols = imap pop3 submission
listen = 127.0.0.1, 127.0.0.2
ssl = yes
ssl_cert = <${lab}/tls/cert.pem
ssl_key = <${lab}/tls/key.pem
ssl_dh = </usr/share/dovecot/dh.pem
auth_mechanisms = plain login xoauth2 oauthbearer
disable_plaintext_auth = yes
auth_failure_delay = 0
first_valid_uid = 1
default_internal_user = ${user}
default_login_user = ${user}
default_internal_group = ${group}
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN ${lab}/passwd
  mechanisms = plain login
}
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = ${lab}/oauth2.conf.ext
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${lab}/mail/%u
}
${loginService('imap', p.imap, 'imaps', p.imaps)}
${loginService('pop3', p.pop3, 'pop3s', p.pop3s)}
${loginService('submission', p.submission, 'submissions', p.submissions)}
service imap-urlauth-login {
  chroot =
}
service anvil {
  chroot =
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service ipc {
  chroot =
}
submission_relay_host = 127.0.0.1
submission_relay_port = ${p.sink}
`;
}

/** A login service with its plaintext listener and its implicit-TLS one. */
function loginService(name: string, port: number, tlsName: string, tlsPort: number): string {
  return `service ${name}-login {
  chroot =
  inet_listener ${name} {
    port = ${port}
  }
  inet_listener ${tlsName} {
    port = ${tlsPort}
    ssl = yes
  }
}`;
}

const SINK_PY = `
import sys, os, asyncio
from aiosmtpd.controller import Controller
out = sys.argv[2]
class Sink:
    n = 0
    async def handle_DATA(self, server, session, envelope):
        Sink.n += 1
        path = os.path.join(out, '%04d.eml' % Sink.n)
        with open(path + '.tmp', 'wb') as f:
            f.write(('X-Sink-From: %s\\r\\nX-Sink-To: %s\\r\\n' % (envelope.mail_from, ','.join(envelope.rcpt_tos))).encode())
            f.write(envelope.original_content)
        os.rename(path + '.tmp', path)
        return '250 OK'
c = Controller(Sink(), hostname='127.0.0.1', port=int(sys.argv[1]))
c.start()
print('ready', flush=True)
try:
    asyncio.get_event_loop().run_until_complete(asyncio.Event().wait())
except KeyboardInterrupt:
    pass
`;

/** Resolves once `host:port` sends a line starting with `prefix` (the greeting, not the TCP connect). */
export function waitForGreeting(host: string, port: number, prefix: string, deadlineMs = 15_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const s = connect({ host, port });
      let buf = '';
      const retry = (why: string) => {
        s.destroy();
        if (Date.now() > until) reject(new LabSetupError(`interop: no greeting on ${host}:${port} (${why})`));
        else setTimeout(attempt, 50);
      };
      s.on('data', (d) => {
        buf += d.toString('latin1');
        if (buf.includes('\n')) {
          s.destroy();
          if (buf.startsWith(prefix)) resolve();
          else retry(`got ${JSON.stringify(buf.slice(0, 80))}`);
        }
      });
      s.on('error', (e) => retry(e.message));
      s.on('end', () => retry('closed'));
    };
    attempt();
  });
}

export interface RunningLab { info: LabInfo; stop(): Promise<void> }

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Who runs Dovecot and the sink: the lab's system user when we are root (Dovecot refuses mail access as uid 0), else ourselves. */
function labAccount(): { user: string; group: string; uid: number; gid: number; asLab: string[] } {
  if (process.getuid?.() === 0) {
    const { uid, gid } = ensureUser();
    return { user: LAB_USER, group: run('id', ['-gn', LAB_USER]).trim(), uid, gid,
      asLab: ['setpriv', '--pdeathsig', 'TERM', '--reuid', String(uid), '--regid', String(gid), '--init-groups'] };
  }
  const me = userInfo();
  return { user: me.username, group: run('id', ['-gn']).trim(), uid: me.uid, gid: me.gid, asLab: ['setpriv', '--pdeathsig', 'TERM'] };
}

/**
 * Spawns `argv` as the lab account; setpriv execs, so the child's pid is the program's own,
 * and `--pdeathsig TERM` has the kernel stop it should this process die without a teardown
 * (a SIGKILL, a crash): no Dovecot outlives the run.
 */
function spawnAs(asLab: string[], argv: string[], stdout: 'pipe' | 'inherit'): ChildProcess {
  const [cmd, ...args] = [...asLab, ...argv];
  return spawn(cmd!, args, { stdio: ['ignore', stdout, 'inherit'] });
}

export async function startLab(): Promise<RunningLab> {
  ensurePackages();
  const account = labAccount();
  const { uid, gid } = account;
  const ports = await pickPorts();
  const dir = mkdtempSync(join(tmpdir(), 'mailwire-dovecot-'));
  chmodSync(dir, 0o755);
  for (const d of ['run', 'state', 'mail', 'keys/default/HS256', 'sink']) mkdirSync(join(dir, d), { recursive: true });
  const ca = makeTls(dir);
  const secret = randomBytes(32).toString('base64');
  writeFileSync(join(dir, 'keys/default/HS256/default'), secret);
  writeFileSync(join(dir, 'oauth2.conf.ext'),
    `introspection_mode = local\nlocal_validation_key_dict = fs:posix:prefix=${dir}/keys/\nusername_attribute = sub\n`);
  const info: LabInfo = {
    dir, ports, secureHost: '127.0.0.1', insecureHost: '127.0.0.2', ca, secret,
    oauthUser: 'alice@example.test', passwordUser: 'bob@example.test', password: 'bob-Secret-1', sinkDir: join(dir, 'sink'),
  };
  writeFileSync(join(dir, 'passwd'), `${info.passwordUser}:{PLAIN}${info.password}\n`);
  writeFileSync(join(dir, 'dovecot.conf'), dovecotConf(dir, ports, account.user, account.group, uid, gid));
  writeFileSync(join(dir, 'sink.py'), SINK_PY);
  if (process.getuid?.() === 0) run('chown', ['-R', `${uid}:${gid}`, dir]);

  const children: ChildProcess[] = [];
  // Insurance for a run interrupted before the teardown: the exit hook kills by pid, synchronously.
  const onExit = () => { for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM'); };
  process.once('exit', onExit);
  const stop = async () => {
    await Promise.all(children.map(stopChild));
    process.removeListener('exit', onExit);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    children.push(spawnAs(account.asLab, ['/usr/bin/python3', join(dir, 'sink.py'), String(ports.sink), info.sinkDir], 'pipe'));
    children.push(spawnAs(account.asLab, ['/usr/sbin/dovecot', '-F', '-c', join(dir, 'dovecot.conf')], 'inherit'));
    await Promise.all([
      waitForGreeting('127.0.0.1', ports.imap, '* OK'),
      waitForGreeting('127.0.0.2', ports.imap, '* OK'),
      waitForGreeting('127.0.0.1', ports.pop3, '+OK'),
      waitForGreeting('127.0.0.2', ports.pop3, '+OK'),
      waitForGreeting('127.0.0.1', ports.submission, '220'),
      waitForGreeting('127.0.0.2', ports.submission, '220'),
      waitForGreeting('127.0.0.1', ports.sink, '220'),
    ]);
  } catch (e) {
    const log = existsSync(join(dir, 'dovecot.log')) ? readFileSync(join(dir, 'dovecot.log'), 'utf8').slice(-2000) : '';
    await stop();
    throw new LabSetupError(`${(e as Error).message}\n${log}`);
  }
  return { info, stop };
}
