// A small emoji picker: a searchable grid in a popover, keyboard friendly.

import { h } from './util.js';

export const EMOJI = [
  ['👍', 'thumbs up', 'thumbs up yes +1'],
  ['👎', 'thumbs down', 'thumbs down no -1'],
  ['😀', 'grinning', 'grinning smile happy'],
  ['😂', 'tears of joy', 'joy laugh tears'],
  ['🤣', 'rolling on the floor', 'rofl rolling laugh'],
  ['😊', 'smiling', 'blush smile'],
  ['😍', 'heart eyes', 'heart eyes love'],
  ['🙂', 'slight smile', 'slight smile'],
  ['😉', 'wink', 'wink'],
  ['😎', 'sunglasses', 'cool sunglasses'],
  ['🤔', 'thinking', 'thinking hmm'],
  ['😮', 'surprised', 'open mouth wow surprised'],
  ['😢', 'crying', 'cry sad tear'],
  ['😭', 'sobbing', 'sob crying'],
  ['😡', 'angry', 'angry rage'],
  ['😅', 'sweat smile', 'sweat smile relief'],
  ['🙃', 'upside down', 'upside down'],
  ['😴', 'sleeping', 'sleeping tired'],
  ['🤯', 'mind blown', 'mind blown exploding'],
  ['🥳', 'party face', 'party celebrate'],
  ['🙏', 'thank you', 'pray thanks please'],
  ['👏', 'clapping', 'clap applause'],
  ['🙌', 'raised hands', 'raised hands hooray'],
  ['👀', 'eyes', 'eyes looking'],
  ['💪', 'muscle', 'muscle strong'],
  ['👋', 'wave', 'wave hello bye'],
  ['🤝', 'handshake', 'handshake deal'],
  ['✅', 'check mark', 'check done yes'],
  ['❌', 'cross mark', 'cross no wrong'],
  ['⚠️', 'warning', 'warning caution'],
  ['❤️', 'red heart', 'heart love red'],
  ['💔', 'broken heart', 'broken heart'],
  ['🔥', 'fire', 'fire hot lit'],
  ['⭐', 'star', 'star'],
  ['✨', 'sparkles', 'sparkles shiny'],
  ['🎉', 'party popper', 'tada party celebration'],
  ['🚀', 'rocket', 'rocket ship launch'],
  ['💯', 'hundred points', 'hundred perfect'],
  ['💡', 'light bulb', 'bulb idea'],
  ['🐛', 'bug', 'bug insect'],
  ['🔧', 'wrench', 'wrench fix tool'],
  ['📌', 'pushpin', 'pin pushpin'],
  ['📎', 'paperclip', 'paperclip attach'],
  ['📅', 'calendar', 'calendar date'],
  ['⏰', 'alarm clock', 'alarm clock time'],
  ['☕', 'coffee', 'coffee tea'],
  ['🍕', 'pizza', 'pizza food'],
  ['🍺', 'beer', 'beer drink'],
  ['🎂', 'birthday cake', 'cake birthday'],
  ['🏆', 'trophy', 'trophy win'],
  ['🤷', 'shrug', 'shrug dunno'],
  ['🤦', 'facepalm', 'facepalm'],
  ['😬', 'grimacing', 'grimace awkward'],
  ['🥲', 'smile with tear', 'smile tear'],
  ['😇', 'halo', 'innocent angel halo'],
  ['🤖', 'robot', 'robot bot'],
  ['👻', 'ghost', 'ghost'],
  ['💩', 'poop', 'poop'],
  ['🐱', 'cat', 'cat'],
  ['🐶', 'dog', 'dog'],
  ['🌈', 'rainbow', 'rainbow'],
  ['☀️', 'sun', 'sun sunny'],
  ['🌧️', 'rain', 'rain cloud'],
  ['❄️', 'snowflake', 'snow cold'],
  ['➕', 'plus', 'plus add'],
  ['❓', 'question mark', 'question'],
  ['❗', 'exclamation mark', 'exclamation'],
  ['🆗', 'ok button', 'ok'],
];

let openPicker = null;

export function closeEmojiPicker() {
  if (!openPicker) return;
  const { el, anchor, onDocClick } = openPicker;
  openPicker = null;
  document.removeEventListener('mousedown', onDocClick, true);
  el.remove();
  if (anchor && document.contains(anchor)) anchor.focus();
}

// Open a picker next to `anchor`; `onPick(emoji)` is called with the chosen emoji.
export function openEmojiPicker(anchor, onPick, label = 'Pick an emoji') {
  closeEmojiPicker();
  const grid = h('div', { class: 'emoji-grid', role: 'listbox', 'aria-label': label });
  const filter = h('input', {
    type: 'search',
    class: 'emoji-filter',
    placeholder: 'Search emoji',
    'aria-label': 'Search emoji',
  });
  const el = h(
    'div',
    { class: 'popover emoji-picker', role: 'dialog', 'aria-label': label },
    filter,
    grid,
  );
  const pick = (emoji) => {
    closeEmojiPicker();
    onPick(emoji);
  };
  const draw = () => {
    const words = filter.value.trim().toLowerCase();
    const buttons = EMOJI.filter(
      ([e, name, keywords]) =>
        !words || name.includes(words) || keywords.includes(words) || e === words,
    ).map(([e, name]) =>
      h('button', {
        type: 'button',
        class: 'emoji-choice',
        role: 'option',
        title: name,
        'aria-label': name,
        text: e,
        onclick: () => pick(e),
      }),
    );
    grid.replaceChildren(...buttons);
  };
  filter.addEventListener('input', draw);
  filter.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      const first = grid.querySelector('button');
      if (first) first.click();
    } else if (ev.key === 'ArrowDown') {
      ev.preventDefault();
      grid.querySelector('button')?.focus();
    }
  });
  el.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') {
      ev.preventDefault();
      ev.stopPropagation();
      closeEmojiPicker();
      return;
    }
    const buttons = [...grid.querySelectorAll('button')];
    const i = buttons.indexOf(document.activeElement);
    if (i < 0) return;
    const cols = 8;
    const moves = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: cols, ArrowUp: -cols };
    if (ev.key in moves) {
      ev.preventDefault();
      const j = i + moves[ev.key];
      if (j < 0) filter.focus();
      else buttons[Math.min(j, buttons.length - 1)].focus();
    }
  });
  draw();
  document.body.append(el);
  position(el, anchor);
  const onDocClick = (ev) => {
    if (!el.contains(ev.target) && ev.target !== anchor) closeEmojiPicker();
  };
  document.addEventListener('mousedown', onDocClick, true);
  openPicker = { el, anchor, onDocClick };
  filter.focus();
}

export function position(el, anchor) {
  const r = anchor.getBoundingClientRect();
  const w = el.offsetWidth;
  const hgt = el.offsetHeight;
  let left = Math.min(r.left, window.innerWidth - w - 8);
  let top = r.top - hgt - 6;
  if (top < 8) top = Math.min(r.bottom + 6, window.innerHeight - hgt - 8);
  left = Math.max(8, left);
  el.style.left = `${left}px`;
  el.style.top = `${Math.max(8, top)}px`;
}
