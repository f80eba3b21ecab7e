// The structured logger. Anything that could carry a credential is redacted by path, as a
// second line of defence behind never logging them in the first place.
import pino, { type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: ['token', '*.token', 'secret_key', '*.secret_key', 'secretKey', '*.secretKey', 'api_password', '*.api_password', 'apiPassword', '*.apiPassword', 'req.headers.authorization', 'headers.authorization'],
      censor: '[redacted]',
    },
  });
}
