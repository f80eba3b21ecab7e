// Who takes part in the browser tests: the demo cast for the main story, plus one pair of members
// per test so that no test sees another's dialogs or unread counts, even when they run in parallel.
import { DEMO_USERS, type DemoUser } from '@imbachat/demo';

function member(id: number, name: string): DemoUser {
  return { id, name, headline: 'Test member', city: 'Testville', about: 'Takes part in the browser tests.', hue: (id * 47) % 360 };
}

export const alice = DEMO_USERS[0]!;
export const bob = DEMO_USERS[1]!;
export const maria = DEMO_USERS[2]!;
export const ahmed = DEMO_USERS[3]!;

export const kim = member(11, 'Kim Keys');
export const kai = member(12, 'Kai Tabb');
export const mo = member(13, 'Mo Bile');
export const pat = member(14, 'Pat Phone');
export const nina = member(15, 'Nina Net');
export const dan = member(16, 'Dan Drop');
export const hana = member(17, 'Hana Style');
export const ivo = member(18, 'Ivo Plain');

export const tia = member(19, 'Tia Token');
export const rex = member(20, 'Rex Renew');
export const uma = member(21, 'Uma First');
export const vic = member(22, 'Vic Second');
export const wes = member(23, 'Wes Partner');
export const xan = member(24, 'Xan Partner');

export const lou = member(25, 'Lou Leaving');
export const ned = member(26, 'Ned Next');
export const ola = member(27, 'Ola Other');

export const sam = member(28, 'Sam Stays');
export const tom = member(29, 'Tom Travels');

export const E2E_USERS: readonly DemoUser[] = [
  ...DEMO_USERS, kim, kai, mo, pat, nina, dan, hana, ivo, tia, rex, uma, vic, wes, xan, lou, ned, ola, sam, tom,
];
