// Runs the presence and typing contracts against the in-process stores, their timers on a clock
// the suites move.
import { ManualClock } from '../testing/clock.ts';
import { presenceContract, typingContract } from './contract.ts';
import { createMemoryPresence, createMemoryTyping } from './memory.ts';

const clock = new ManualClock();

presenceContract(
  'memory',
  async ({ graceMs }) => {
    const presence = createMemoryPresence({ graceMs, timers: clock });
    return { presence, cleanup: () => presence.close() };
  },
  { clock },
);

typingContract(
  'memory',
  async () => {
    const typing = createMemoryTyping({ timers: clock });
    return { typing, cleanup: () => typing.close() };
  },
  { clock },
);
