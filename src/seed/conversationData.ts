/** The demo's inbox: conversations from Instagram, Facebook and WhatsApp, with the bot's and staff's replies. */

export interface MessageSeed {
  /** Days before "today" (local) and the local time the message was written. */
  daysAgo: number;
  at: string;
  direction: 'inbound' | 'outbound';
  /** user: the customer; assistant: the Meta Bot's AI; operator: a staff member answering. */
  role: 'user' | 'assistant' | 'operator';
  content: string;
}

export interface ConversationSeed {
  /** Makes the platform message ids (`seed-demo-<key>-<n>`): the idempotency key of each message. */
  key: string;
  platform: 'instagram' | 'facebook' | 'whatsapp';
  /** The customer's id on the platform (IGSID, PSID, WhatsApp number). */
  socialId: string;
  /** The name the platform profile gives (absent: the contact is an existing customer). */
  profileName?: string;
  /** Whether the receptionist has read it (the rest stay unread in the inbox). */
  read: boolean;
  messages: MessageSeed[];
}

export const DEMO_CONVERSATIONS: readonly ConversationSeed[] = [
  {
    key: 'ig-salome',
    platform: 'instagram',
    socialId: '17841400000000101',
    profileName: 'Salome Tsereteli',
    read: false,
    messages: [
      {
        daysAgo: 1,
        at: '10:02',
        direction: 'inbound',
        role: 'user',
        content: 'Hi! Do you groom Samoyeds? How long does a full groom take?',
      },
      {
        daysAgo: 1,
        at: '10:02',
        direction: 'outbound',
        role: 'assistant',
        content: 'Hello Salome! Yes, we do. A full groom for a large double-coated dog takes about 2.5 hours. Shall I look for a time?',
      },
      { daysAgo: 1, at: '10:05', direction: 'inbound', role: 'user', content: 'Yes please, Saturday morning if possible.' },
      {
        daysAgo: 1,
        at: '10:21',
        direction: 'outbound',
        role: 'operator',
        content: 'Hi Salome, Nino from PetBuddy here. Saturday at 10:00 with Mariam is free. Shall I book it?',
      },
      { daysAgo: 0, at: '08:47', direction: 'inbound', role: 'user', content: 'Perfect, please book it. Thank you!' },
    ],
  },
  {
    key: 'fb-luka',
    platform: 'facebook',
    socialId: '6100000000000202',
    profileName: 'Luka Japaridze',
    read: true,
    messages: [
      { daysAgo: 3, at: '18:40', direction: 'inbound', role: 'user', content: 'Are you open on Sundays?' },
      {
        daysAgo: 3,
        at: '18:40',
        direction: 'outbound',
        role: 'assistant',
        content: 'Yes! On Sundays we are open from 10:00 to 16:00 at our Rustaveli Avenue salon.',
      },
      { daysAgo: 3, at: '18:42', direction: 'inbound', role: 'user', content: 'Great, thanks. Do you trim nails without an appointment?' },
      {
        daysAgo: 2,
        at: '09:15',
        direction: 'outbound',
        role: 'operator',
        content: 'Good morning Luka! Walk-in nail trims are fine when a groomer is free; booking ahead guarantees a slot.',
      },
    ],
  },
  {
    key: 'wa-ana',
    platform: 'whatsapp',
    socialId: '995555123456',
    read: true,
    messages: [
      {
        daysAgo: 2,
        at: '12:10',
        direction: 'inbound',
        role: 'user',
        content: 'Hi, it is Ana. Could Buddy come half an hour later next time?',
      },
      {
        daysAgo: 2,
        at: '12:31',
        direction: 'outbound',
        role: 'operator',
        content: 'Hi Ana! Of course, just tell us the day and we will move him.',
      },
      { daysAgo: 2, at: '12:33', direction: 'inbound', role: 'user', content: 'Thank you!' },
    ],
  },
  {
    key: 'ig-zeynep',
    platform: 'instagram',
    socialId: '17841400000000303',
    profileName: 'Zeynep Arslan',
    read: false,
    messages: [
      { daysAgo: 0, at: '09:05', direction: 'inbound', role: 'user', content: 'Merhaba! Do you groom cats at the Kadıköy salon?' },
      {
        daysAgo: 0,
        at: '09:05',
        direction: 'outbound',
        role: 'assistant',
        content: 'Merhaba Zeynep! Yes, Elif grooms cats in Kadıköy on weekdays. A cat groom takes about an hour.',
      },
    ],
  },
];
