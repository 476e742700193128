/**
 * @mailwire/test-servers: scriptable IMAP, POP3 and SMTP servers on real sockets for
 * conformance tests — personalities (Office 365, Gmail, Dovecot), transcript replay in
 * both directions, fault injection, and a test PKI made at start-up.
 */
export * from '@mailwire/transcript';
export { startScriptedServer } from './scripted/scripted-server.js';
export type { ScriptedServer, ScriptedServerOptions, ReplayMismatch, ReplayResult } from './scripted/scripted-server.js';
export { loadTranscript, transcriptProtocol } from './scripted/load-transcript.js';
export type { Protocol } from './scripted/load-transcript.js';
export { generateTestPki, testPki, certFor } from './tls/certs.js';
export type { CertKind, KeyAndCert, TestPki } from './tls/certs.js';
export type { Faults } from './faults/faults.js';
export { startTestServers } from './test-servers.js';
export type { TestServers, TestServersOptions, PortPair } from './test-servers.js';
export type { TestUser, TokenVerifier } from './users.js';
export { PERSONALITIES, personality } from './personalities/index.js';
export type { Personality, PersonalityName } from './personalities/index.js';
export { MailStore, Mailbox } from './store/mail-store.js';
export { replayAsClient } from './replay/replay-as-client.js';
export type { ReplayAsClientOptions } from './replay/replay-as-client.js';
export { RecordingClient } from './replay/recorder.js';
export { redactTranscript, SEED_FAKE_TOKEN } from './replay/redact.js';
