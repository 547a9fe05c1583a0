import { ask, type Business } from './business.ts';

export const SOFTWARE: Business = {
  kind: 'software company',
  match: /\b(soft|apps?\b|cloud|saas|tech|digital|labs?\b|io\b|data)/i,
  greetings: ['Hi! Welcome to {name}. Ask me about plans, your account or getting set up.', 'Hello 👋 I am the {name} assistant. What can I help with?'],
  topics: [
    [
      ask(['How much does the basic plan cost?', 'What are your prices?'], 'The Basic plan is $29 a month for up to 3 users; Team is $79 a month for up to 15.'),
      ask('Is there a discount if I pay yearly?', 'Yes, paying yearly gives you two months free.'),
    ],
    [
      ask(['Is there a free trial?', 'Can I try it before I pay?'], 'Yes — every plan has a 14-day free trial, no card needed.'),
      ask('What happens when the trial ends?', 'Your workspace is kept for 30 days; pick a plan any time to carry on where you left off.'),
    ],
    [ask(['Where can I find my invoice?', 'How do I download an invoice?'], 'Invoices are under Settings → Billing → Invoices, where each one downloads as a PDF.')],
    [ask(['I forgot my password', 'How do I reset my password?'], 'Click "Forgot password" on the sign-in page and we will email you a reset link that works for one hour.')],
    [
      ask(['Do you integrate with Slack?', 'Does it work with Google Sheets?'], 'Yes, Slack and Google Sheets are both built-in integrations under Settings → Integrations.'),
      ask('Do you have an API?', 'Yes, a REST API on every paid plan; the docs are at the bottom of every page.'),
    ],
    [ask('Can I add more users to my plan?', 'Yes, an admin can invite people under Settings → Team; extra seats are billed from the day they join.')],
  ],
  handoffs: ['Can I talk to someone from support?', 'I would like to speak to a person', 'human please'],
  handoffReply: 'Of course — choose below to chat with support now, or to have them call you back.',
  agentOpeners: ['Hi, {agent} from {name} support here. How can I help?'],
  agentTopics: [
    [
      ask('I was charged for a seat I removed.', 'I see it — I have credited that seat back to your account; it shows on your next invoice.'),
      ask('Thanks! Will that happen again?', 'No, seats you remove now stop billing the same day.'),
    ],
    [ask('Our data import has been stuck for an hour.', 'I restarted the import for you; it is at 40 % now and should finish in about ten minutes.')],
  ],
  resumes: ['Sure, I am still here. What else can I help you with?'],
  closings: ['Great, thanks!', 'Thanks, that solves it.'],
  agents: ['Sam', 'Alex', 'Jordan'],
};
