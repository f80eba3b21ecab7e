// What every text stored for a user (a message, a group title, a client_msg_id) may hold: any
// character but U+0000, which no person types and PostgreSQL text cannot store (the same text
// must be refused the same way on SQLite, not be a 500 on one engine only).
export const NO_NUL = (s: string) => !s.includes('\u0000');
export const noNulMessage = (field: string) => `${field} must not contain the NUL character (U+0000)`;
