// Runs the presence and typing contracts against the in-process stores.
import { presenceContract, typingContract } from './contract.ts';
import { createMemoryPresence, createMemoryTyping } from './memory.ts';

presenceContract('memory', async ({ graceMs }) => {
  const presence = createMemoryPresence({ graceMs });
  return { presence, cleanup: () => presence.close() };
});

typingContract('memory', async () => {
  const typing = createMemoryTyping();
  return { typing, cleanup: () => typing.close() };
});
