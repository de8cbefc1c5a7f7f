// The sidebar's dialogs: workspaces, members, channels, chats, contacts, profile.

import { api } from './api.js';
import { field, formDialog, userChecklist } from './dialogs.js';
import { avatar } from './render.js';
import { displayName, emit, rememberUser, setPresence, state, upsertChannel } from './store.js';
import { errorText, h, toast } from './util.js';

function input(attrs) {
  return h('input', { type: 'text', autocomplete: 'off', ...attrs });
}

export function createWorkspaceDialog() {
  const name = input({ name: 'name', required: true, maxlength: '80', placeholder: 'e.g. Acme Inc' });
  formDialog({
    title: 'Create a workspace',
    fields: field('Workspace name', name),
    submitLabel: 'Create',
    submit: async () => {
      const ws = await api.createWorkspace(name.value.trim());
      emit('workspace:created', ws);
    },
  });
}

export function addWorkspaceMemberDialog() {
  const username = input({ name: 'username', required: true, placeholder: 'username' });
  formDialog({
    title: `Add someone to ${state.workspace.name}`,
    fields: field('Username', username, 'They must already have a TeamChat account.'),
    submitLabel: 'Add to workspace',
    submit: async () => {
      const res = await api.addWorkspaceMember(state.workspace.id, username.value.trim().replace(/^@/, ''));
      const user = rememberUser(res.user);
      state.wsMembers.set(user.id, { user, role: 'member', presence: 'offline' });
      emit('members:changed');
      toast(`${displayName(user)} is now a member of ${state.workspace.name}.`, 'info');
    },
  });
}

function memberUsers() {
  return [...state.wsMembers.values()]
    .map((m) => m.user)
    .filter((u) => state.me && u.id !== state.me.id)
    .sort((a, b) => {
      const ca = state.contacts.has(a.id) ? 0 : 1;
      const cb = state.contacts.has(b.id) ? 0 : 1;
      return ca - cb || displayName(a).localeCompare(displayName(b));
    });
}

export function createChannelDialog() {
  const name = input({
    name: 'name',
    required: true,
    maxlength: '80',
    placeholder: 'e.g. plan-budget',
  });
  const priv = h('input', { type: 'checkbox', name: 'private' });
  const picker = userChecklist(memberUsers(), { label: 'Invite people (optional)' });
  formDialog({
    title: 'Create a channel',
    wide: true,
    fields: [
      field('Name', name, 'Lowercase letters, numbers and dashes work best.'),
      h(
        'label',
        { class: 'check' },
        priv,
        h('span', { text: ' Private: only invited people can see it' }),
      ),
      h('fieldset', {}, h('legend', { text: 'Invite people (optional)' }), picker.el),
    ],
    submitLabel: 'Create channel',
    submit: async () => {
      const ch = await api.createChannel(
        state.workspace.id,
        name.value.trim().replace(/^#/, ''),
        priv.checked,
        picker.selected(),
      );
      upsertChannel(ch);
      emit('channels:changed');
      emit('navigate', { cid: ch.id });
    },
  });
}

export async function browseChannelsDialog() {
  let channels = [];
  try {
    channels = (await api.publicChannels(state.workspace.id)).channels || [];
  } catch (err) {
    toast(`Could not list channels: ${errorText(err)}`);
    return;
  }
  const list = h('ul', { class: 'browse-list', 'aria-label': 'Public channels' });
  let dlg = null;
  for (const ch of channels) {
    const joined = ch.is_member || state.channels.has(ch.id);
    const btn = h('button', {
      type: 'button',
      class: joined ? '' : 'primary',
      text: joined ? 'Open' : 'Join',
      'aria-label': `${joined ? 'Open' : 'Join'} #${ch.name}`,
    });
    btn.addEventListener('click', async () => {
      try {
        if (!joined) {
          const res = await api.joinChannel(ch.id);
          upsertChannel(res && res.id ? res : await api.channel(ch.id));
          emit('channels:changed');
        }
        dlg.close();
        emit('navigate', { cid: ch.id });
      } catch (err) {
        toast(`Could not join #${ch.name}: ${errorText(err)}`);
      }
    });
    list.append(
      h(
        'li',
        { class: 'browse-row' },
        h(
          'div',
          {},
          h('strong', { text: `#${ch.name}` }),
          h('div', {
            class: 'muted small',
            text: `${ch.member_count ?? 0} members${ch.topic ? ` · ${ch.topic}` : ''}`,
          }),
        ),
        btn,
      ),
    );
  }
  if (!channels.length) list.append(h('li', { class: 'muted', text: 'No public channels yet.' }));
  dlg = formDialog({
    title: 'Browse channels',
    wide: true,
    fields: list,
    submitLabel: 'Create a new channel…',
    submit: async () => {
      setTimeout(createChannelDialog, 0);
    },
  });
}

export async function startChat(userIds) {
  const ch = await api.openDm(state.workspace.id, userIds);
  upsertChannel(ch);
  emit('channels:changed');
  emit('navigate', { cid: ch.id });
}

export function newChatDialog() {
  const picker = userChecklist(memberUsers(), { label: 'People' });
  formDialog({
    title: 'New direct message',
    wide: true,
    fields: [
      h('p', { class: 'muted', text: 'Pick one person for a direct message, or several for a group chat.' }),
      picker.el,
    ],
    submitLabel: 'Start chat',
    submit: async () => {
      const ids = picker.selected();
      if (!ids.length) throw new Error('Pick at least one person.');
      await startChat(ids);
    },
  });
}

export function addContactDialog() {
  const username = input({ name: 'username', required: true, placeholder: 'username' });
  formDialog({
    title: 'Add a contact',
    fields: field('Username', username, `Anyone in ${state.workspace.name}.`),
    submitLabel: 'Add contact',
    submit: async () => {
      const wanted = username.value.trim().replace(/^@/, '').toLowerCase();
      if (!wanted) throw new Error('Type a username.');
      let found = [...state.wsMembers.values()].find((m) => m.user.username.toLowerCase() === wanted);
      if (!found) {
        const res = await api.workspaceMembers(state.workspace.id);
        found = (res.members || []).find((m) => m.user.username.toLowerCase() === wanted);
      }
      if (!found) throw new Error(`Nobody called @${wanted} is a member of ${state.workspace.name}.`);
      if (state.me && found.user.id === state.me.id) throw new Error('That is you.');
      const res = await api.addContact(found.user.id);
      const user = rememberUser(res.user || found.user);
      state.contacts.set(user.id, user);
      setPresence(user.id, res.presence || found.presence);
      emit('contacts:changed');
      toast(`${displayName(user)} added to your contacts.`, 'info');
    },
  });
}

export function profileDialog() {
  const me = state.me;
  const name = input({ name: 'display_name', value: me.display_name || '', maxlength: '80' });
  const url = input({
    name: 'avatar_url',
    type: 'url',
    value: me.avatar_url && !me.avatar_url.includes('/avatar.svg') ? me.avatar_url : '',
    placeholder: 'https://… (leave empty for the default)',
  });
  formDialog({
    title: 'Your profile',
    fields: [
      h('div', { class: 'profile-preview' }, avatar(me, 'lg'), h('span', { text: `@${me.username}` })),
      field('Display name', name),
      field('Avatar image URL', url),
    ],
    submitLabel: 'Save profile',
    submit: async () => {
      const fields = { display_name: name.value.trim() };
      // An empty URL puts the generated default avatar back.
      fields.avatar_url = url.value.trim();
      const user = await api.updateMe(fields);
      state.me = rememberUser(user);
      emit('me:changed');
    },
  });
}
