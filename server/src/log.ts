// The structured logger. Anything that could carry a credential is redacted by path, as a
// second line of defence behind never logging them in the first place.
//
// What goes where: error = a fault of ours or of a host site that an operator must look at (with
// a stack); warn = a host or a dependency misbehaving; info = lifecycle (listening, stopped,
// widgets applied); debug = per request and per socket (client faults, aborts, resets). No level
// carries tokens, secrets or message texts; request lines carry the request id, never a body.
import pino, { type DestinationStream, type Logger } from 'pino';

const REDACTED_PATHS = [
  'token',
  '*.token',
  'secret_key',
  '*.secret_key',
  'secretKey',
  '*.secretKey',
  'api_password',
  '*.api_password',
  'apiPassword',
  '*.apiPassword',
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'headers.authorization',
  'headers.cookie',
  'metrics_token',
  '*.metrics_token',
  'metricsToken',
  '*.metricsToken',
];

/** `destination` is for tests that read what was logged; the process writes to stdout. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
