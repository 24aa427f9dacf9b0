/** Where a payload is shown; modals and the Home tab allow 100 blocks, messages 50. */
export type Surface = 'message' | 'modal' | 'home';

type Json = Record<string, unknown>;

/** How strict to be beyond Slack itself. */
export interface CheckOptions {
  /**
   * paperbot's own rule: every message carries fallback `text` (notifications and screen readers
   * use it). Slack accepts blocks without it, so the fake Slack checks with `false`.
   */
  fallbackText?: boolean;
}

/**
 * Every Block Kit limit a paperbot payload can run into, as a list of human-readable violations:
 * empty when Slack would accept the payload. The limits are those of Slack's Block Kit reference
 * (https://docs.slack.dev/reference/block-kit/blocks, .../block-elements, .../composition-objects):
 * block and element types, text types and lengths, ids, button values, URLs, select options,
 * input elements and confirmation dialogs.
 */
export function blockKitViolations(
  payload: { text?: unknown; blocks?: unknown },
  surface: Surface = 'message',
  options: CheckOptions = {},
): string[] {
  const problems: string[] = [];
  if (payload.blocks !== undefined && !Array.isArray(payload.blocks)) return ['blocks must be an array'];
  const blocks = (payload.blocks ?? []) as Json[];
  const maxBlocks = surface === 'message' ? 50 : 100;
  if (surface === 'message' && (options.fallbackText ?? true)) {
    if (typeof payload.text !== 'string' || payload.text.trim() === '') problems.push('no fallback text');
  }
  if (typeof payload.text === 'string' && payload.text.length > 40_000)
    problems.push(`fallback text ${payload.text.length} > 40000`);
  if (blocks.length > maxBlocks) problems.push(`${blocks.length} blocks > ${maxBlocks}`);
  const blockIds = new Set<string>();
  blocks.forEach((block, i) => {
    const at = `blocks[${i}] (${String(block?.type)})`;
    if (!block || typeof block !== 'object') {
      problems.push(`${at}: not an object`);
      return;
    }
    const blockId = block.block_id as string | undefined;
    if (blockId !== undefined) {
      if (typeof blockId !== 'string' || blockId.length === 0) problems.push(`${at}: empty block_id`);
      else if (blockId.length > 255) problems.push(`${at}: block_id ${blockId.length} > 255`);
      if (blockIds.has(blockId)) problems.push(`${at}: duplicate block_id ${blockId}`);
      blockIds.add(blockId);
    }
    const text = block.text as Json | undefined;
    switch (block.type) {
      case 'header':
        if (text?.type !== 'plain_text') problems.push(`${at}: header text must be plain_text`);
        checkText(problems, at, text, 150);
        break;
      case 'section': {
        if (!text && !block.fields) problems.push(`${at}: section needs text or fields`);
        if (text) checkText(problems, at, text, 3000);
        const fields = (block.fields ?? []) as Json[];
        if (fields.length > 10) problems.push(`${at}: ${fields.length} fields > 10`);
        for (const field of fields) checkText(problems, `${at} field`, field, 2000);
        if (block.accessory) {
          const accessory = block.accessory as Json;
          if (!SECTION_ACCESSORIES.has(String(accessory.type)))
            problems.push(`${at}: accessory type ${String(accessory.type)} not allowed in a section`);
          checkElement(problems, `${at} accessory`, accessory, new Set());
        }
        break;
      }
      case 'context': {
        const elements = (block.elements ?? []) as Json[];
        if (elements.length === 0 || elements.length > 10)
          problems.push(`${at}: ${elements.length} elements (1-10)`);
        for (const element of elements) {
          if (element.type === 'image') checkElement(problems, at, element, new Set());
          else checkText(problems, at, element, 3000);
        }
        break;
      }
      case 'actions': {
        const elements = (block.elements ?? []) as Json[];
        if (elements.length === 0 || elements.length > 25)
          problems.push(`${at}: ${elements.length} elements (1-25)`);
        const actionIds = new Set<string>();
        for (const element of elements) {
          if (!ACTION_ELEMENTS.has(String(element.type)))
            problems.push(`${at}: element type ${String(element.type)} not allowed in actions`);
          checkElement(problems, at, element, actionIds);
        }
        break;
      }
      case 'divider':
        break;
      case 'input': {
        if (surface === 'message') problems.push(`${at}: input blocks only go in modals and the Home tab`);
        const label = block.label as Json | undefined;
        if (label?.type !== 'plain_text') problems.push(`${at}: input label must be plain_text`);
        checkText(problems, `${at} label`, label, 2000);
        if (block.hint) {
          if ((block.hint as Json).type !== 'plain_text')
            problems.push(`${at}: input hint must be plain_text`);
          checkText(problems, `${at} hint`, block.hint as Json, 2000);
        }
        const element = block.element as Json | undefined;
        if (!element) problems.push(`${at}: input needs an element`);
        else {
          if (!INPUT_ELEMENTS.has(String(element.type)))
            problems.push(`${at}: element type ${String(element.type)} not allowed in an input`);
          checkElement(problems, `${at} element`, element, new Set());
        }
        break;
      }
      default:
        problems.push(`${at}: block type not checked by this helper`);
    }
  });
  return problems;
}

const SECTION_ACCESSORIES = new Set([
  'image',
  'button',
  'static_select',
  'overflow',
  'datepicker',
  'timepicker',
]);
const ACTION_ELEMENTS = new Set(['button', 'static_select', 'overflow', 'datepicker', 'timepicker']);
const INPUT_ELEMENTS = new Set(['plain_text_input', 'static_select', 'timepicker', 'datepicker']);

function checkText(problems: string[], at: string, text: Json | undefined, max: number): void {
  if (!text || typeof text.text !== 'string') {
    problems.push(`${at}: missing text`);
    return;
  }
  if (text.type !== 'plain_text' && text.type !== 'mrkdwn')
    problems.push(`${at}: bad text type ${String(text.type)}`);
  if (text.type === 'mrkdwn' && text.emoji !== undefined)
    problems.push(`${at}: emoji is for plain_text only`);
  if (text.text.length === 0) problems.push(`${at}: empty text`);
  if (text.text.length > max) problems.push(`${at}: text ${text.text.length} > ${max}`);
}

/** A plain_text object of 1 to `max` characters. */
function checkPlainText(problems: string[], at: string, text: unknown, max: number): void {
  if ((text as Json | undefined)?.type !== 'plain_text') problems.push(`${at} must be plain_text`);
  checkText(problems, at, text as Json | undefined, max);
}

function checkUrl(problems: string[], at: string, url: unknown): void {
  if (typeof url !== 'string' || url.length > 3000 || !/^https?:\/\/\S+$/.test(url))
    problems.push(`${at}: bad url`);
}

function checkElement(problems: string[], at: string, element: Json, actionIds: Set<string>): void {
  const actionId = element.action_id as string | undefined;
  if (actionId !== undefined) {
    if (actionId.length === 0 || actionId.length > 255)
      problems.push(`${at}: action_id length ${actionId.length} (1-255)`);
    if (actionIds.has(actionId)) problems.push(`${at}: duplicate action_id ${actionId}`);
    actionIds.add(actionId);
  }
  if (element.placeholder !== undefined)
    checkPlainText(problems, `${at} placeholder`, element.placeholder, 150);
  if (element.confirm !== undefined) {
    const confirm = element.confirm as Json;
    checkPlainText(problems, `${at} confirm title`, confirm.title, 100);
    checkText(problems, `${at} confirm text`, confirm.text as Json | undefined, 300);
    checkPlainText(problems, `${at} confirm button`, confirm.confirm, 30);
    checkPlainText(problems, `${at} deny button`, confirm.deny, 30);
  }
  switch (element.type) {
    case 'image': {
      checkUrl(problems, `${at} image_url`, element.image_url);
      const alt = element.alt_text as string | undefined;
      if (!alt || alt.length > 2000) problems.push(`${at}: image alt_text must be 1-2000 characters`);
      break;
    }
    case 'button': {
      checkPlainText(problems, `${at} button`, element.text, 75);
      if (element.url !== undefined) checkUrl(problems, `${at} button`, element.url);
      const value = element.value as string | undefined;
      if (value !== undefined && (typeof value !== 'string' || value.length > 2000))
        problems.push(`${at}: button value ${String(value?.length)} > 2000`);
      if (element.style !== undefined && element.style !== 'primary' && element.style !== 'danger')
        problems.push(`${at}: button style ${String(element.style)}`);
      break;
    }
    case 'plain_text_input': {
      const max = element.max_length as number | undefined;
      if (max !== undefined && (!Number.isInteger(max) || max < 1 || max > 3000))
        problems.push(`${at}: max_length ${max} (1-3000)`);
      const initial = element.initial_value as string | undefined;
      if (initial !== undefined && max !== undefined && initial.length > max)
        problems.push(`${at}: initial_value ${initial.length} > max_length ${max}`);
      break;
    }
    case 'static_select': {
      const options = (element.options ?? []) as Json[];
      if (options.length === 0 || options.length > 100)
        problems.push(`${at}: ${options.length} options (1-100)`);
      for (const option of options) {
        checkPlainText(problems, `${at} option`, option.text, 75);
        if (typeof option.value !== 'string' || option.value.length === 0 || option.value.length > 150)
          problems.push(`${at}: option value must be 1-150 characters`);
      }
      const initial = element.initial_option as Json | undefined;
      if (initial !== undefined && !options.some((o) => JSON.stringify(o) === JSON.stringify(initial)))
        problems.push(`${at}: initial_option is not one of the options`);
      break;
    }
    case 'timepicker':
      if (
        element.initial_time !== undefined &&
        !/^([01]\d|2[0-3]):[0-5]\d$/.test(String(element.initial_time))
      )
        problems.push(`${at}: initial_time must be HH:mm`);
      break;
    default:
      break;
  }
}

/**
 * Slack markup that would act (ping, broadcast, link) in the mrkdwn parts of a payload: any
 * `<...>` sequence in mrkdwn text or the fallback text. paperbot never writes such markup itself,
 * so every match came from untrusted text.
 */
export function liveMarkup(payload: { text?: unknown; blocks?: unknown }): string[] {
  const found: string[] = [];
  const scan = (text: unknown) => {
    // A bare channel link (<#C123>) is the one markup paperbot writes itself, from Slack's own ids.
    if (typeof text === 'string')
      found.push(...(text.match(/<[^>]*>?|>/g) ?? []).filter((m) => !/^<#[CG][A-Z0-9]+>$/.test(m)));
  };
  scan(payload.text);
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (node && typeof node === 'object') {
      const object = node as Json;
      if (object.type === 'mrkdwn') scan(object.text);
      for (const [key, value] of Object.entries(object))
        if (key !== 'text' || typeof value === 'object') visit(value);
    }
  };
  visit(payload.blocks);
  return found;
}

/** Asserts that a payload respects every Block Kit limit and carries no live markup. */
export function expectValidMessage(
  payload: { text?: unknown; blocks?: unknown },
  surface: Surface = 'message',
): void {
  // Throws rather than using jest's expect: the fake Slack (also run by the benchmarks, outside
  // jest) imports this file for the checker.
  const problems = [
    ...blockKitViolations(payload, surface),
    ...liveMarkup(payload).map((m) => `live markup ${m}`),
  ];
  if (problems.length > 0) throw new Error(`Not a valid message:\n  ${problems.join('\n  ')}`);
}

/** A Block Kit block as JSON, typed loosely enough for assertions. */
export interface BlockJson {
  type: string;
  block_id?: string;
  text?: { type: string; text: string };
  accessory?: { type: string; url?: string; action_id?: string };
  elements?: Array<{
    type: string;
    text?: { type: string; text: string };
    url?: string;
    action_id?: string;
    value?: string;
  }>;
}

/** The blocks of a payload. */
export function blocksOf(payload: { blocks?: unknown }): BlockJson[] {
  return (payload.blocks ?? []) as BlockJson[];
}

/** The mrkdwn texts of a payload's section blocks: one per paper card in a result list. */
export function sectionTexts(payload: { blocks?: unknown }): string[] {
  return blocksOf(payload)
    .filter((block) => block.type === 'section')
    .map((block) => block.text?.text ?? '');
}

/** [label, url] of every button in the payload's first actions block. */
export function firstButtons(payload: { blocks?: unknown }): Array<[string | undefined, string | undefined]> {
  const actions = blocksOf(payload).find((block) => block.type === 'actions');
  return (actions?.elements ?? []).map((button) => [button.text?.text, button.url]);
}

/**
 * What Slack checks of a view (https://docs.slack.dev/reference/views) on top of its blocks:
 * type, title, submit and close labels (a modal with input blocks needs submit), metadata and ids.
 */
export function viewViolations(view: Record<string, unknown>): string[] {
  if (view.type !== 'modal' && view.type !== 'home') return [`view type ${String(view.type)}`];
  const problems = blockKitViolations({ blocks: view.blocks }, view.type, { fallbackText: false });
  if (!Array.isArray(view.blocks)) problems.push('view needs blocks');
  for (const key of ['title', 'submit', 'close'] as const) {
    const text = view[key] as Json | undefined;
    if (text === undefined && (key !== 'title' || view.type === 'home')) continue; // a Home tab has no title
    checkPlainText(problems, `view ${key}`, text, 24);
  }
  const hasInput = ((view.blocks ?? []) as Json[]).some((block) => block?.type === 'input');
  if (view.type === 'modal' && hasInput && view.submit === undefined)
    problems.push('a modal with input blocks needs a submit button');
  if (typeof view.private_metadata === 'string' && view.private_metadata.length > 3000)
    problems.push('private_metadata > 3000');
  for (const id of ['callback_id', 'external_id'] as const) {
    if (typeof view[id] === 'string' && (view[id] as string).length > 255) problems.push(`${id} > 255`);
  }
  return problems;
}
