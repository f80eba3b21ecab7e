// The English texts of the groups chunk ("New chat" and its people picker, a group's info): they
// come with its code (groups.ts adds them), not with the panel's. What opens those screens and
// their waiting state ("New chat", "Group info", "Back to the chat") stay in en.ts. The other
// catalogues keep every key in one file.
export const enGroups = {
  searchPeople: 'Search people',
  noContacts: 'No one to pick yet: the people you have chats with appear here.',
  noMatches: 'No one found',
  groupName: 'Group name',
  startChat: 'Start chat',
  createGroup: 'Create group',
  addMembers: 'Add members',
  add: 'Add',
  rename: 'Rename',
  save: 'Save',
  cancel: 'Cancel',
  owner: 'owner',
  admin: 'admin',
  youMark: 'you',
  memberActions: 'Actions for {name}',
  makeAdmin: 'Make admin',
  removeAdmin: 'Remove as admin',
  removeMember: 'Remove from group',
  leaveGroup: 'Leave group',
  leaveConfirm: 'Leave this group? You keep what you have seen, but get nothing new.',
};
