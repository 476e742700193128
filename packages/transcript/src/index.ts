/**
 * @mailwire/transcript: the byte-exact transcript format of fixtures/ (fixtures/README.md),
 * shared by the clients' tests, the test servers and the conformance tools.
 */
export * from './transcript.js';
