import { expect } from '@jest/globals';

/** Where a payload is shown; modals and the Home tab allow 100 blocks, messages 50. */
export type Surface = 'message' | 'modal' | 'home';

type Json = Record<string, unknown>;

/**
 * Every Block Kit limit a paperbot payload can run into (https://api.slack.com/reference/block-kit),
 * as a list of human-readable violations: empty when the payload is valid.
 */
export function blockKitViolations(
  payload: { text?: unknown; blocks?: unknown },
  surface: Surface = 'message',
): string[] {
  const problems: string[] = [];
  const blocks = (payload.blocks ?? []) as Json[];
  const maxBlocks = surface === 'message' ? 50 : 100;
  if (surface === 'message') {
    if (typeof payload.text !== 'string' || payload.text.trim() === '') problems.push('no fallback text');
    else if (payload.text.length > 40_000) problems.push(`fallback text ${payload.text.length} > 40000`);
  }
  if (blocks.length > maxBlocks) problems.push(`${blocks.length} blocks > ${maxBlocks}`);
  const blockIds = new Set<string>();
  blocks.forEach((block, i) => {
    const at = `blocks[${i}] (${String(block.type)})`;
    const blockId = block.block_id as string | undefined;
    if (blockId !== undefined) {
      if (blockId.length > 255) problems.push(`${at}: block_id ${blockId.length} > 255`);
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
        if (block.accessory) checkElement(problems, `${at} accessory`, block.accessory as Json, new Set());
        break;
      }
      case 'context': {
        const elements = (block.elements ?? []) as Json[];
        if (elements.length === 0 || elements.length > 10)
          problems.push(`${at}: ${elements.length} elements (1-10)`);
        for (const element of elements) if (element.type !== 'image') checkText(problems, at, element, 3000);
        break;
      }
      case 'actions': {
        const elements = (block.elements ?? []) as Json[];
        if (elements.length === 0 || elements.length > 25)
          problems.push(`${at}: ${elements.length} elements (1-25)`);
        const actionIds = new Set<string>();
        for (const element of elements) checkElement(problems, at, element, actionIds);
        break;
      }
      case 'divider':
        break;
      case 'input': {
        const label = block.label as Json | undefined;
        if (label?.type !== 'plain_text') problems.push(`${at}: input label must be plain_text`);
        checkText(problems, `${at} label`, label, 2000);
        if (block.hint) checkText(problems, `${at} hint`, block.hint as Json, 2000);
        if (!block.element) problems.push(`${at}: input needs an element`);
        break;
      }
      default:
        problems.push(`${at}: block type not checked by this helper`);
    }
  });
  return problems;
}

function checkText(problems: string[], at: string, text: Json | undefined, max: number): void {
  if (!text || typeof text.text !== 'string') {
    problems.push(`${at}: missing text`);
    return;
  }
  if (text.type !== 'plain_text' && text.type !== 'mrkdwn')
    problems.push(`${at}: bad text type ${String(text.type)}`);
  if (text.text.length === 0) problems.push(`${at}: empty text`);
  if (text.text.length > max) problems.push(`${at}: text ${text.text.length} > ${max}`);
}

function checkElement(problems: string[], at: string, element: Json, actionIds: Set<string>): void {
  const actionId = element.action_id as string | undefined;
  if (actionId !== undefined) {
    if (actionId.length > 255) problems.push(`${at}: action_id ${actionId.length} > 255`);
    if (actionIds.has(actionId)) problems.push(`${at}: duplicate action_id ${actionId}`);
    actionIds.add(actionId);
  }
  if (element.type === 'image') {
    const url = element.image_url as string | undefined;
    const alt = element.alt_text as string | undefined;
    if (!url || url.length > 3000 || !/^https?:\/\//.test(url)) problems.push(`${at}: bad image_url`);
    if (!alt || alt.length > 2000) problems.push(`${at}: image alt_text must be 1-2000 characters`);
  }
  if (element.type === 'button') {
    const text = element.text as Json | undefined;
    if (text?.type !== 'plain_text') problems.push(`${at}: button text must be plain_text`);
    checkText(problems, `${at} button`, text, 75);
    const url = element.url as string | undefined;
    if (url !== undefined && (url.length > 3000 || !/^https?:\/\//.test(url)))
      problems.push(`${at}: bad button url`);
    const value = element.value as string | undefined;
    if (value !== undefined && value.length > 2000)
      problems.push(`${at}: button value ${value.length} > 2000`);
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
  expect(blockKitViolations(payload, surface)).toEqual([]);
  expect(liveMarkup(payload)).toEqual([]);
}

/** A Block Kit block as JSON, typed loosely enough for assertions. */
export interface BlockJson {
  type: string;
  block_id?: string;
  text?: { type: string; text: string };
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

/** Block Kit limits of a modal view on top of its blocks: title, submit and close labels, metadata. */
export function viewViolations(view: Record<string, unknown>): string[] {
  const problems = blockKitViolations({ blocks: view.blocks }, view.type === 'home' ? 'home' : 'modal');
  for (const key of ['title', 'submit', 'close'] as const) {
    const text = view[key] as Json | undefined;
    if (text === undefined && (key !== 'title' || view.type === 'home')) continue; // a Home tab has no title
    if (text?.type !== 'plain_text') problems.push(`view ${key} must be plain_text`);
    checkText(problems, `view ${key}`, text, 24);
  }
  if (typeof view.private_metadata === 'string' && view.private_metadata.length > 3000)
    problems.push('private_metadata > 3000');
  if (typeof view.callback_id === 'string' && view.callback_id.length > 255)
    problems.push('callback_id > 255');
  return problems;
}
