// The Redis event bus: Redis PUB/SUB between the nodes, one channel per user topic, subscribed
// only while this node holds a connection of that user (the Hub subscribes per user).
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { whenReady } from './redis-client.ts';
import type { BusHandler, BusMessage, EventBus } from './types.ts';

/** Channels per SUBSCRIBE when a reconnect restores them: one command stays a few KB. */
const RESUBSCRIBE_CHUNK = 1_000;
/** Publishers remembered for dropping resent copies; a node restart makes a new one. */
const MAX_PUBLISHERS = 1_024;

export interface RedisBusOptions {
  /** The command connection (shared with the other engines); the bus opens its own subscriber from it. */
  client: Redis;
  /** Put before every channel name: deployments (and test runs) sharing one Redis stay apart. */
  prefix: string;
  onHandlerError?: (err: unknown) => void;
  /** Told when the link to Redis breaks and when it is whole again (for the log). */
  onLink?: (event: 'lost' | 'restored', what: 'publisher' | 'subscriber') => void;
}

interface Topic {
  handlers: Set<BusHandler>;
  /** Settles when Redis confirmed the SUBSCRIBE (or the resubscription after a reconnect). */
  ready: Promise<void>;
}

/**
 * Promise: at most once, in publish order per publisher and topic, as bus/types.ts says. Every
 * field of a message (frame, eventId, receipt, committedAt) crosses as JSON, tagged with this
 * bus's id and a counter: ioredis sends a command again when the link broke before its answer
 * came, and a subscriber drops a copy it already delivered, so a resend never delivers twice.
 *
 * What a broken link may lose, and how it is made good (clients recover by resume):
 * - Subscriber link: messages published while it was down are gone. On reconnect every channel
 *   is subscribed again (in chunks), and only then do the onGap listeners run, so a resync that
 *   reads the log then misses nothing published afterwards.
 * - Publisher link: a publish that failed (Redis unreachable past a few reconnect attempts)
 *   rejects; once the link is back the bus sends a gap notice on `<prefix>gap`, which every
 *   node's bus subscribes to, and every node runs its onGap listeners: subscribers elsewhere
 *   never saw a break, yet missed that message.
 * - A Redis restart breaks both links of every node: each node resubscribes and resyncs.
 * Limits: one Redis (or a primary with replicas that clients fail over to themselves); PUB/SUB
 * is not stored, so nothing waits for a node that is down. Redis Cluster is not supported.
 */
export async function openRedisBus(o: RedisBusOptions): Promise<EventBus> {
  const { client, prefix } = o;
  const onHandlerError = o.onHandlerError ?? (() => {});
  const nodeId = randomBytes(6).toString('hex');
  const gapChannel = `${prefix}gap`;
  // Resubscription is ours: ioredis's own runs after 'ready' fires and tells no one when done.
  const subscriber = client.duplicate({ autoResubscribe: false, maxRetriesPerRequest: null, connectionName: `imbachat-bus-${nodeId}` });
  subscriber.on('error', () => {});
  await whenReady(subscriber, 'the Redis subscriber connection');

  const topics = new Map<string, Topic>();
  const gapListeners = new Set<() => void>();
  /** The highest counter delivered from each publisher, oldest publisher first. */
  const lastSeen = new Map<string, number>();
  let counter = 0;
  let closed = false;
  let subscriberBroken = false;
  /** Resolves when the subscriber is back and its channels are subscribed again. */
  let restored: { promise: Promise<void>; resolve: () => void; reject: (err: Error) => void } | null = null;
  let gapNoticeOwed = false;

  const channelOf = (topic: string) => prefix + topic;
  const emitGap = () => {
    for (const l of [...gapListeners]) {
      try {
        l();
      } catch (err) {
        onHandlerError(err);
      }
    }
  };

  const onMessage = (channel: string, payload: string) => {
    if (closed) return;
    if (channel === gapChannel) return emitGap();
    const a = payload.indexOf(' ');
    const b = payload.indexOf(' ', a + 1);
    if (a < 0 || b < 0) return;
    const from = payload.slice(0, a);
    const n = Number(payload.slice(a + 1, b));
    const seen = lastSeen.get(from);
    if (seen !== undefined && n <= seen) return; // a resent copy
    lastSeen.delete(from);
    lastSeen.set(from, n);
    if (lastSeen.size > MAX_PUBLISHERS) lastSeen.delete(lastSeen.keys().next().value!);
    const topic = channel.slice(prefix.length);
    const entry = topics.get(topic);
    if (!entry) return;
    let message: BusMessage;
    try {
      message = JSON.parse(payload.slice(b + 1)) as BusMessage;
    } catch (err) {
      return onHandlerError(err);
    }
    for (const handler of entry.handlers) {
      try {
        handler(topic, message);
      } catch (err) {
        onHandlerError(err);
      }
    }
  };
  subscriber.on('message', onMessage);

  const resubscribe = async () => {
    const channels = [gapChannel, ...[...topics.keys()].map(channelOf)];
    for (let i = 0; i < channels.length; i += RESUBSCRIBE_CHUNK) await subscriber.subscribe(...channels.slice(i, i + RESUBSCRIBE_CHUNK));
  };
  subscriber.on('close', () => {
    if (closed || subscriberBroken) return;
    subscriberBroken = true;
    let resolve!: () => void;
    let reject!: (err: Error) => void;
    const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
    promise.catch(() => {});
    restored = { promise, resolve, reject };
    o.onLink?.('lost', 'subscriber');
  });
  /** Counts connections: a resubscription counts only if no newer connection began meanwhile. */
  let generation = 0;
  subscriber.on('ready', () => {
    const mine = ++generation;
    if (closed || !subscriberBroken) return;
    resubscribe().then(
      () => {
        // A break during the resubscription leaves subscriberBroken set: the next 'ready' redoes it.
        if (closed || mine !== generation || subscriber.status !== 'ready') return;
        subscriberBroken = false;
        const r = restored;
        restored = null;
        r?.resolve();
        o.onLink?.('restored', 'subscriber');
        emitGap();
      },
      () => {},
    );
  });

  let publisherBroken = false;
  const onPublisherClose = () => {
    if (closed || publisherBroken) return;
    publisherBroken = true;
    o.onLink?.('lost', 'publisher');
  };
  const onPublisherReady = () => {
    if (closed) return;
    if (publisherBroken) {
      publisherBroken = false;
      o.onLink?.('restored', 'publisher');
    }
    if (gapNoticeOwed) sendGapNotice();
  };
  client.on('close', onPublisherClose);
  client.on('ready', onPublisherReady);
  const sendGapNotice = () => {
    gapNoticeOwed = false;
    client.publish(gapChannel, nodeId).catch(() => {
      gapNoticeOwed = true;
    });
  };
  const publishFailed = (err: unknown) => {
    gapNoticeOwed = true;
    if (client.status === 'ready') sendGapNotice();
    throw err;
  };

  await subscriber.subscribe(gapChannel);

  const subscribeChannel = async (channel: string) => {
    // While the link is down the channel is subscribed by the resubscription, with the rest
    // (the topic is in the map before 'ready' lists them); once it is up, SUBSCRIBE goes out now.
    if (subscriber.status !== 'ready' && restored) return restored.promise;
    await subscriber.subscribe(channel);
  };

  return {
    ordered: false,
    async publish(topics: readonly string[], message: BusMessage) {
      if (closed) throw new Error('the Redis bus is closed');
      if (topics.length === 0) return;
      const body = JSON.stringify(message);
      if (topics.length === 1) {
        await client.publish(channelOf(topics[0]!), `${nodeId} ${++counter} ${body}`).catch(publishFailed);
        return;
      }
      const pipeline = client.pipeline();
      for (const topic of topics) pipeline.publish(channelOf(topic), `${nodeId} ${++counter} ${body}`);
      const results = await pipeline.exec().catch(publishFailed);
      const failed = results?.find(([err]) => err)?.[0];
      if (failed) publishFailed(failed);
    },

    async subscribe(topic, handler) {
      if (closed) throw new Error('the Redis bus is closed');
      let entry = topics.get(topic);
      if (!entry) {
        const created: Topic = { handlers: new Set(), ready: subscribeChannel(channelOf(topic)) };
        entry = created;
        topics.set(topic, created);
        created.ready.catch(() => {
          if (topics.get(topic) === created && created.handlers.size === 0) topics.delete(topic);
        });
      }
      // A wrapper, so the same handler subscribed twice is two subscriptions (as in memory.ts).
      const own: BusHandler = entry.handlers.has(handler) ? (t, m) => handler(t, m) : handler;
      entry.handlers.add(own);
      const current = entry;
      try {
        await current.ready;
      } catch (err) {
        current.handlers.delete(own);
        if (current.handlers.size === 0 && topics.get(topic) === current) topics.delete(topic);
        throw err;
      }
      return async () => {
        if (!current.handlers.delete(own) || current.handlers.size > 0 || topics.get(topic) !== current) return;
        topics.delete(topic);
        // Commands on one connection run in order: a later SUBSCRIBE of the topic wins.
        if (!closed && subscriber.status === 'ready') await subscriber.unsubscribe(channelOf(topic)).catch(() => {});
      };
    },

    onGap(listener) {
      gapListeners.add(listener);
      return () => void gapListeners.delete(listener);
    },

    async ping() {
      if (closed) throw new Error('the Redis bus is closed');
      if (subscriber.status !== 'ready' || subscriberBroken) throw new Error(`the Redis subscriber connection is ${subscriber.status}`);
      if (client.status !== 'ready') throw new Error(`the Redis connection is ${client.status}`);
      await client.ping();
    },

    async close() {
      if (closed) return;
      closed = true;
      topics.clear();
      gapListeners.clear();
      client.off('close', onPublisherClose);
      client.off('ready', onPublisherReady);
      restored?.reject(new Error('the Redis bus is closed'));
      subscriber.disconnect();
    },
  };
}
