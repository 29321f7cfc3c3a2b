/** The static onboarding guide of GET /api/v1/setup/onboarding (contract §3.6.2: a title, 8 steps, 4 tips). */

export interface OnboardingStep {
  step: number;
  title: string;
  description: string;
  action: string;
}

export interface OnboardingGuide {
  title: string;
  steps: OnboardingStep[];
  tips: string[];
}

const STEPS: readonly Omit<OnboardingStep, 'step'>[] = [
  {
    title: 'Complete your company profile',
    description:
      'Add your business name, contact details, logo, time zone and currency so customers and the AI assistant see the right information.',
    action: 'Open company settings',
  },
  {
    title: 'Add your locations',
    description: 'Enter each branch with its address and phone number, and mark your main location.',
    action: 'Manage locations',
  },
  {
    title: 'Set your working hours',
    description: 'Tell PetBuddy when you are open and which days are holidays, so only real free times are offered.',
    action: 'Set working hours',
  },
  {
    title: 'Review your services and prices',
    description: 'Your services were created from your business type. Adjust names, durations and prices per pet size, or add your own.',
    action: 'Review services',
  },
  {
    title: 'Set up your resources',
    description: 'Tubs, tables, rooms and kennels limit how many pets you can take at once. Check the ones created for you.',
    action: 'Manage resources',
  },
  {
    title: 'Invite your team',
    description: 'Add groomers, vets, trainers and receptionists, with the services they perform and their weekly schedules.',
    action: 'Add staff',
  },
  {
    title: 'Connect Facebook and Instagram',
    description: 'Link your Page and Instagram account to answer customer messages from the PetBuddy inbox.',
    action: 'Connect Meta',
  },
  {
    title: 'Configure your AI assistant',
    description: 'Pick a prompt from the library or write your own, set its active hours, and let it answer and book around the clock.',
    action: 'Open AI agent settings',
  },
];

export const ONBOARDING_GUIDE: Readonly<OnboardingGuide> = Object.freeze({
  title: 'Welcome to PetBuddy! 🐾',
  steps: STEPS.map((s, i) => ({ step: i + 1, ...s })),
  tips: [
    'You can reset services or resources to the defaults of your business type at any time from the setup settings.',
    'Keep durations realistic: the booking calendar uses them to avoid double bookings.',
    'Give each staff member only the services they perform, so customers are booked with the right person.',
    'Review the AI assistant conversations in the inbox during the first days and refine its prompt.',
  ],
});
