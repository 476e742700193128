/** @mailwire/smtp: the SMTP submission client (RFC 5321, RFC 6409, RFC 4954 AUTH). Built in issue 9. */
export {};
