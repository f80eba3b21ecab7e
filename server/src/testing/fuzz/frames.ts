// Generated malformed WebSocket frames: binary, bad JSON, invalid UTF-8, unknown types, wrong
// field types, huge numbers, oversized frames, auth frames with bad tokens and bad resume_from,
// mixed with valid frames so the session's later states are reached too.
import fc from 'fast-check';
import { MAX_CLIENT_FRAME_BYTES } from '../../realtime/protocol.ts';
import { hostileId, hostileJson, hostileNumber, hostileString, jsonText } from './values.ts';

export type FrameCase =
  | { kind: 'text'; data: string }
  /** Sent as a text frame, bytes as they are (may be invalid UTF-8). */
  | { kind: 'text-bytes'; data: Buffer }
  | { kind: 'binary'; data: Buffer };

export interface FrameWorld {
  dialogId: number;
  /** Token pool by name, as for the REST fuzz. */
  tokens: Record<string, string>;
}

const frameTypes = fc.constantFrom('auth', 'ping', 'typing.start', 'typing.stop', 'pong', 'ready', 'error', 'message.new', 'subscribe', 'AUTH', ' ping', '', 'typing', 'typing.start ');

function fields(world: FrameWorld): fc.Arbitrary<Record<string, unknown>> {
  const token = fc.oneof({ arbitrary: fc.constantFrom(...Object.values(world.tokens)), weight: 3 }, { arbitrary: hostileJson, weight: 1 });
  return fc.record(
    {
      type: fc.oneof({ arbitrary: frameTypes, weight: 6 }, { arbitrary: hostileJson, weight: 1 }),
      dialog_id: fc.oneof(fc.constant(world.dialogId), hostileId),
      token,
      resume_from: fc.oneof(hostileNumber, hostileJson, fc.constantFrom(0, 1, 10 ** 15, Number.MAX_SAFE_INTEGER, -1, '5')),
      text: hostileString,
    },
    { requiredKeys: [] },
  );
}

/** One frame: mostly JSON text shaped like a frame, the rest binary, invalid UTF-8, oversized or valid. */
export function frameCase(world: FrameWorld): fc.Arbitrary<FrameCase> {
  const valid = fc.constantFrom<Record<string, unknown>>(
    { type: 'ping' },
    { type: 'typing.start', dialog_id: world.dialogId },
    { type: 'typing.stop', dialog_id: world.dialogId },
    { type: 'typing.start', dialog_id: 987654321 },
  );
  return fc.oneof(
    { arbitrary: jsonText(fields(world)).map((data) => ({ kind: 'text' as const, data })), weight: 16 },
    { arbitrary: jsonText(hostileJson).map((data) => ({ kind: 'text' as const, data })), weight: 3 },
    { arbitrary: valid.map((f) => ({ kind: 'text' as const, data: JSON.stringify(f) })), weight: 6 },
    { arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => ({ kind: 'binary' as const, data: Buffer.from(b) })), weight: 1 },
    { arbitrary: valid.map((f) => ({ kind: 'binary' as const, data: Buffer.from(JSON.stringify(f)) })), weight: 1 },
    {
      arbitrary: fc
        .constantFrom([0xff], [0xfe, 0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0x7b, 0x22, 0xe2, 0x82, 0x22, 0x7d])
        .map((b) => ({ kind: 'text-bytes' as const, data: Buffer.from(b) })),
      weight: 1,
    },
    {
      arbitrary: fc.constantFrom(MAX_CLIENT_FRAME_BYTES, MAX_CLIENT_FRAME_BYTES + 1, 100_000).map((n) => ({
        kind: 'text' as const,
        data: JSON.stringify({ type: 'ping', pad: 'x'.repeat(n - 24) }),
      })),
      weight: 1,
    },
  );
}

/** The first frame of a socket: mostly an auth frame with a bad token or resume_from, or anything else. */
export function firstFrame(world: FrameWorld): fc.Arbitrary<FrameCase> {
  const auth = fc
    .record({
      type: fc.constant('auth'),
      token: fc.oneof({ arbitrary: fc.constantFrom(...Object.values(world.tokens)), weight: 4 }, { arbitrary: hostileJson, weight: 1 }),
      resume_from: fc.option(fc.oneof(hostileNumber, hostileJson, fc.constantFrom(0, 10 ** 15, Number.MAX_SAFE_INTEGER)), { nil: undefined }),
    })
    .map((f) => ({ kind: 'text' as const, data: JSON.stringify(f) }));
  return fc.oneof({ arbitrary: auth, weight: 3 }, { arbitrary: frameCase(world), weight: 2 });
}
