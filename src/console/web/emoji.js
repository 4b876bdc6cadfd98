// Slack emoji short names the console can show as characters. Nothing is fetched: names not
// listed here stay as `:name:`, as Slack shows an emoji it does not know.
export const EMOJI = {
  '+1': '👍', thumbsup: '👍', '-1': '👎', thumbsdown: '👎', ok_hand: '👌', clap: '👏', pray: '🙏', muscle: '💪',
  wave: '👋', raised_hand: '✋', raising_hand: '🙋', point_right: '👉', point_left: '👈', point_up: '☝️', point_down: '👇',
  eyes: '👀', thinking_face: '🤔', smile: '😄', slightly_smiling_face: '🙂', sweat_smile: '😅', joy: '😂', cry: '😢',
  scream: '😱', sob: '😭', tada: '🎉', rocket: '🚀', fire: '🔥', boom: '💥', sparkles: '✨', zap: '⚡', star: '⭐',
  white_check_mark: '✅', heavy_check_mark: '✔️', ballot_box_with_check: '☑️', x: '❌', negative_squared_cross_mark: '❎',
  warning: '⚠️', rotating_light: '🚨', no_entry: '⛔', no_entry_sign: '🚫', octagonal_sign: '🛑', stop_sign: '🛑',
  information_source: 'ℹ️', question: '❓', grey_question: '❔', exclamation: '❗', heavy_exclamation_mark: '❗', bangbang: '‼️',
  hourglass: '⌛', hourglass_flowing_sand: '⏳', stopwatch: '⏱️', alarm_clock: '⏰', timer_clock: '⏲️', clock3: '🕒',
  mag: '🔍', mag_right: '🔎', arrows_counterclockwise: '🔄', arrows_clockwise: '🔃', repeat: '🔁', recycle: '♻️',
  twisted_rightwards_arrows: '🔀', arrow_right: '➡️', arrow_left: '⬅️', arrow_up: '⬆️', arrow_down: '⬇️',
  leftwards_arrow_with_hook: '↩️', arrow_forward: '▶️', fast_forward: '⏩', double_vertical_bar: '⏸️', black_square_for_stop: '⏹️',
  pushpin: '📌', round_pushpin: '📍', paperclip: '📎', link: '🔗', memo: '📝', pencil: '📝', pencil2: '✏️',
  page_facing_up: '📄', page_with_curl: '📃', scroll: '📜', clipboard: '📋', spiral_note_pad: '🗒️', notebook: '📓', book: '📖',
  bookmark: '🔖', file_folder: '📁', open_file_folder: '📂', card_index_dividers: '🗂️', package: '📦', floppy_disk: '💾',
  calendar: '📅', date: '📅', chart_with_upwards_trend: '📈', chart_with_downwards_trend: '📉', bar_chart: '📊',
  wastebasket: '🗑️', lock: '🔒', unlock: '🔓', key: '🔑', shield: '🛡️', gear: '⚙️', wrench: '🔧', hammer: '🔨',
  hammer_and_wrench: '🛠️', construction: '🚧', bulb: '💡', bell: '🔔', no_bell: '🔕', loudspeaker: '📢', mega: '📣',
  speech_balloon: '💬', thought_balloon: '💭', busts_in_silhouette: '👥', bust_in_silhouette: '👤', crown: '👑',
  computer: '💻', desktop_computer: '🖥️', cloud: '☁️', globe_with_meridians: '🌐', satellite: '📡', electric_plug: '🔌',
  battery: '🔋', ambulance: '🚑', fire_engine: '🚒', sos: '🆘', skull: '💀', ghost: '👻', zzz: '💤', dart: '🎯',
  checkered_flag: '🏁', triangular_flag_on_post: '🚩', red_circle: '🔴', large_green_circle: '🟢', large_yellow_circle: '🟡',
  large_orange_circle: '🟠', large_blue_circle: '🔵', white_circle: '⚪', black_circle: '⚫', small_red_triangle: '🔺',
  small_blue_diamond: '🔹', small_orange_diamond: '🔸', heavy_plus_sign: '➕', heavy_minus_sign: '➖', heart: '❤️',
  broken_heart: '💔', green_heart: '💚', new: '🆕', ok: '🆗', up: '🆙', cool: '🆒', free: '🆓', '100': '💯', hash: '#️⃣',
  robot_face: '🤖', coffee: '☕', beers: '🍻', cake: '🍰', sunny: '☀️', snowflake: '❄️', umbrella: '☂️', ship: '🚢',
  dancer: '💃', shrug: '🤷', facepalm: '🤦', sleeping: '😴', see_no_evil: '🙈', white_large_square: '⬜', black_large_square: '⬛',
};

/** Reactions offered by the quick menu; :pushpin: puts a message on the open incident's timeline. */
export const QUICK_REACTIONS = ['pushpin', '+1', 'eyes', 'white_check_mark'];

export function emoji(name) {
  const base = name.replace(/::skin-tone-\d$/, '');
  return EMOJI[base] ?? null;
}
