// The header of the open conversation: title, topic, members, add people, leave.

import { api } from './api.js';
import { confirmDialog, formDialog, userChecklist } from './dialogs.js';
import { icon } from './icons.js';
import { avatar, presenceDot } from './render.js';
import {
  channelTitle,
  displayName,
  emit,
  isDirect,
  presenceOf,
  rememberUser,
  state,
} from './store.js';
import { errorText, h, toast } from './util.js';

function toggleSidebar() {
  document.body.classList.toggle('sidebar-open');
  const open = document.body.classList.contains('sidebar-open');
  for (const b of document.querySelectorAll('.sidebar-toggle')) {
    b.setAttribute('aria-expanded', String(open));
  }
  if (open) document.querySelector('.sidebar button, .sidebar select')?.focus();
}

export function channelHeader(channel) {
  if (!channel) return [];
  const direct = isDirect(channel);
  const kindLabel = {
    public: 'Public channel',
    private: 'Private channel',
    dm: 'Direct message',
    group: 'Group chat',
  }[channel.kind];
  const title = h('h1', { class: 'chan-title' });
  if (channel.kind === 'dm' && channel.dm_users && channel.dm_users.length === 1) {
    const u = channel.dm_users[0];
    title.append(avatar(u, 'sm'), presenceDot(presenceOf(u.id)), ' ', displayName(u));
  } else {
    if (channel.kind === 'private') title.append(h('span', { class: 'lock' }, icon('lock')));
    if (channel.kind === 'group') title.append(h('span', { class: 'lock' }, icon('people')));
    if (channel.kind === 'dm' && state.me) title.append(avatar(state.me, 'sm'));
    title.append(channelTitle(channel));
  }
  const actions = [
    h('button', {
      type: 'button',
      class: 'members-btn',
      'aria-label': `Members: ${channel.member_count ?? ''}`,
      title: 'Members',
      text: `${channel.member_count ?? ''} ${channel.member_count === 1 ? 'member' : 'members'}`,
      onclick: () => membersDialog(channel),
    }),
  ];
  if (channel.kind !== 'dm') {
    actions.push(
      h('button', {
        type: 'button',
        'aria-label': 'Add people',
        title: 'Add people',
        text: '+ Add people',
        class: 'add-people',
        onclick: () => addPeopleDialog(channel),
      }),
    );
  }
  actions.push(
    h('button', {
      type: 'button',
      'aria-label': `Leave ${channelTitle(channel)}`,
      title: 'Leave',
      text: 'Leave',
      onclick: () => leave(channel),
    }),
  );
  return [
    h('button', {
      type: 'button',
      class: 'icon sidebar-toggle',
      'aria-label': 'Show channels and people',
      'aria-expanded': 'false',
      'aria-controls': 'sidebar',
      text: '☰',
      onclick: toggleSidebar,
    }),
    h(
      'div',
      { class: 'chan-heading' },
      title,
      h('div', { class: 'chan-sub muted small' }, kindLabel, channel.topic ? ` · ${channel.topic}` : ''),
    ),
    h('div', { class: 'chan-actions' }, actions),
  ];
}

async function membersDialog(channel) {
  let members = [];
  try {
    members = (await api.channelMembers(channel.id)).members || [];
  } catch (err) {
    toast(`Could not load members: ${errorText(err)}`);
    return;
  }
  const list = h(
    'ul',
    { class: 'member-list', 'aria-label': 'Members' },
    members.map((m) => {
      rememberUser(m.user);
      return h(
        'li',
        { class: 'user-row' },
        avatar(m.user, 'sm'),
        presenceDot(m.presence || presenceOf(m.user.id)),
        h('span', { class: 'name', text: displayName(m.user) }),
        h('span', { class: 'muted', text: `@${m.user.username}` }),
      );
    }),
  );
  formDialog({
    title: `Members of ${channelTitle(channel)}`,
    fields: list,
    submitLabel: channel.kind === 'dm' ? 'Close' : 'Add people…',
    submit: async () => {
      if (channel.kind !== 'dm') setTimeout(() => addPeopleDialog(channel), 0);
    },
  });
}

function addPeopleDialog(channel) {
  const inChannel = new Set((channel.dm_users || []).map((u) => u.id));
  if (state.me) inChannel.add(state.me.id);
  const candidates = [...state.wsMembers.values()]
    .map((m) => m.user)
    .filter((u) => !inChannel.has(u.id));
  const picker = userChecklist(candidates, { label: 'People to add' });
  formDialog({
    title: `Add people to ${channelTitle(channel)}`,
    fields: picker.el,
    submitLabel: 'Add',
    submit: async () => {
      const ids = picker.selected();
      if (!ids.length) throw new Error('Pick at least one person.');
      await api.addChannelMembers(channel.id, ids);
      const fresh = await api.channel(channel.id);
      emit('channel:upsert', fresh);
      toast(`Added ${ids.length} ${ids.length === 1 ? 'person' : 'people'}.`, 'info');
    },
  });
}

async function leave(channel) {
  const privateNote =
    channel.kind === 'private' || channel.kind === 'group'
      ? ' You will lose access to its history until someone adds you again.'
      : '';
  const ok = await confirmDialog(
    `Leave ${channelTitle(channel)}?`,
    `You will stop receiving its messages.${privateNote}`,
    'Leave',
    true,
  );
  if (!ok) return;
  try {
    await api.leaveChannel(channel.id);
    emit('channel:left', channel.id);
  } catch (err) {
    toast(`Could not leave: ${errorText(err)}`);
  }
}
