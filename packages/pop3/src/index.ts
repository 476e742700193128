/** @mailwire/pop3: the POP3 client (RFC 1939, RFC 2449 CAPA, RFC 2595 STLS, RFC 5034 AUTH). Built in issue 8. */
export {};
