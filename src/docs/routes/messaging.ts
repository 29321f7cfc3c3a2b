/** Reference entries: the staff inbox (/messages, /conversations) and the Meta Bot's message endpoints (contract messaging §1). */
import type { AreaDoc } from '../routeDoc';

const desk = 'Managers and receptionists. Rate-limited per IP (a plain-text 429).';

export const messagingDocs: AreaDoc[] = [
  {
    tag: 'Messages',
    description: 'Messages of the staff inbox (M1–M7 and their resource-style forms). Errors use the `{message}` envelope.',
    errors: 'E2',
    routes: {
      'POST /api/v1/messages': {
        summary: 'Send an operator message',
        auth: 'bearer',
        status: 201,
        returns: '`{message, ...created, forwarding, warning?}`: saved at once, delivered to the Meta Bot by the outbox',
        description: desk,
      },
      'GET /api/v1/messages': {
        summary: "List a contact's messages",
        auth: 'bearer',
        returns: 'A page of messages',
        description: desk,
      },
      'PATCH /api/v1/messages': { summary: 'Edit a message', auth: 'bearer', returns: '`{message}`', description: desk },
      'DELETE /api/v1/messages': { summary: 'Delete a message', auth: 'bearer', returns: '`{message}`', description: desk },
      'POST /api/v1/messages/list-by-customer': {
        summary: "List a contact's messages",
        auth: 'bearer',
        returns: 'A page of messages',
        description: desk,
      },
      'POST /api/v1/messages/company-customers': {
        summary: 'List the contacts with messages',
        auth: 'bearer',
        returns: 'The contacts with their last message',
        description: desk,
      },
      'POST /api/v1/messages/instagram': {
        summary: 'List the Instagram contacts with messages',
        auth: 'bearer',
        returns: 'The contacts with their last message',
        description: desk,
      },
      'POST /api/v1/messages/mark-read': {
        summary: "Mark a contact's messages read",
        auth: 'bearer',
        returns: '`{message, ...counts}`',
        description: desk,
      },
      'PUT /api/v1/messages/mark-read': {
        summary: "Mark a contact's messages read",
        auth: 'bearer',
        returns: '`{message, ...counts}`',
        description: `${desk} Same as the POST form.`,
      },
      'POST /api/v1/messages/get-by-id': { summary: 'Get a message', auth: 'bearer', returns: '`{message}`', description: desk },
      'PUT /api/v1/messages/update': { summary: 'Edit a message', auth: 'bearer', returns: '`{message}`', description: desk },
      'DELETE /api/v1/messages/delete': { summary: 'Delete a message', auth: 'bearer', returns: '`{message}`', description: desk },
      'GET /api/v1/messages/:id': { summary: 'Get a message', auth: 'bearer', returns: '`{message}`', description: desk },
    },
  },
  {
    tag: 'Conversations',
    description: 'The inbox conversation list (C1–C4). Errors use the `{message}` envelope.',
    errors: 'E2',
    routes: {
      'POST /api/v1/conversations/list': {
        summary: 'List conversations',
        auth: 'bearer',
        returns: 'A page of conversations with unread counts',
        description: desk,
      },
      'POST /api/v1/conversations/messages': {
        summary: "List a conversation's messages",
        auth: 'bearer',
        returns: 'A page of messages',
        description: desk,
      },
      'POST /api/v1/conversations/mark-read': {
        summary: 'Mark a conversation read',
        auth: 'bearer',
        returns: '`{message, ...counts}`',
        description: desk,
      },
      'POST /api/v1/conversations/toggle-bot-suspended': {
        summary: 'Suspend or resume the AI agent for a contact',
        auth: 'bearer',
        returns: "The contact's bot state",
        description: desk,
      },
    },
  },
  {
    tag: 'Meta Bot messages (internal)',
    description: "The Meta Bot's message endpoints (S1, S2 and inbound ingest).",
    errors: 'E1',
    routes: {
      'POST /api/v1/socket/emit-message-internal': {
        summary: 'Push a saved message to the dashboard (S1)',
        auth: 'apiKey',
        returns: '`{success: true, message, data}`',
        description: 'The `message:new` event goes to the company room exactly as received.',
      },
      'POST /api/v1/socket/emit-message': {
        summary: 'Push a message to the dashboard (legacy S2)',
        auth: 'bearer',
        returns: '`{success: true, message}`',
        description: 'Managers and receptionists, for their own company only.',
      },
      'POST /api/v1/internal/messages': {
        summary: 'Ingest an inbound message',
        auth: 'apiKey',
        status: 201,
        returns: '`{success: true, duplicate: false, contactId, message}`',
        also: { 200: '`{success: true, duplicate: true, ...}`: the platform message id was already stored' },
        errors: 'E4',
      },
    },
  },
];
