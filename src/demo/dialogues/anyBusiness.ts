import { ask, type Business } from './business.ts';

/** For a client whose name says nothing about its trade: what any small business's bot is asked. */
export const ANY_BUSINESS: Business = {
  kind: 'business',
  match: /$^/,
  greetings: ['Hi! Welcome to {name}. How can I help you today?', 'Hello 👋 You are chatting with {name}. What can I do for you?'],
  topics: [
    [ask(['What are your opening hours?', 'When are you open?'], 'We are open Monday to Friday, 9am to 5:30pm.')],
    [
      ask(['Can I get a quote?', 'How much would it cost?'], 'Of course — tell me a little about what you need and we will email you a quote within one working day.'),
      ask('Is there a fee for the quote?', 'No, quotes are always free.'),
    ],
    [ask(['How can I contact you?', 'What is your phone number?'], 'You can call us on the number at the top of this page, or leave your email here and we will get back to you.')],
    [ask('Can I pay by card?', 'Yes, we take all major cards and bank transfer.')],
  ],
  handoffs: ['Can I talk to a real person?', 'I would like to speak to someone'],
  handoffReply: 'Of course — choose below to chat with the team now, or to get a call back.',
  agentOpeners: ['Hi, this is {agent} from {name}. How can I help?'],
  agentTopics: [[ask('I sent an email last week and have not heard back.', 'Sorry about that — I have found it and replied just now; it should be in your inbox.')]],
  resumes: ['No problem, I am still here. What else can I help with?'],
  closings: ['Great, thank you!', 'Thanks, that helps.'],
  agents: ['Sam', 'Kate', 'Chris'],
};
