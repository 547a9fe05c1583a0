import { ask, type Business } from './business.ts';

export const RESTAURANT: Business = {
  kind: 'restaurant',
  match: /\b(restaurant|cafe|café|bistro|kitchen|pizz|trattoria|grill|bar\b|bakery|diner)/i,
  greetings: ['Hi! Welcome to {name}. Would you like to book a table?', 'Hello 👋 This is {name}. How can I help?'],
  topics: [
    [
      ask(['Can I book a table for Friday evening?', 'I would like to reserve a table'], 'Happily! How many people, and what time would you like?'),
      ask(['Four people at 7:30', 'Two of us, around 8pm'], 'You are booked. We hold the table for 15 minutes, and you will get a confirmation by text.'),
    ],
    [ask(['What are your opening hours?', 'Are you open on Mondays?'], 'We are open Tuesday to Sunday, noon to 3pm and 5:30pm to 10pm; closed on Mondays.')],
    [
      ask(['Do you have vegan options?', 'Can you cater for a gluten-free diet?'], 'Yes — our menu marks vegan and gluten-free dishes, and the kitchen can adapt most others.'),
      ask('Is the kitchen careful with nut allergies?', 'Yes, tell your server when you order and the chef will prepare your dishes separately.'),
    ],
    [ask(['Do you do takeaway?', 'Can I order food to collect?'], 'Yes, order on our website or by phone and collect in about 20 minutes.')],
    [ask('Can we bring a birthday cake?', 'Of course — there is no cake fee, and we will bring it out with candles.')],
  ],
  handoffs: ['Can I talk to someone at the restaurant?', 'I would like to speak to a person'],
  handoffReply: 'Of course — choose below to chat with the restaurant now, or to get a call back.',
  agentOpeners: ['Hi, this is {agent} at {name}. How can I help?'],
  agentTopics: [
    [
      ask('We are a group of 14 next Saturday, can you fit us in?', 'Yes, I can give you the back room from 7pm. I will email you the group menu.'),
      ask('Do you need a deposit?', 'A £10 deposit per person secures the room; it comes off your bill on the night.'),
    ],
  ],
  resumes: ['No problem, I am still here. What else would you like to know?'],
  closings: ['Lovely, thank you!', 'Great, see you then.'],
  agents: ['Marco', 'Sofia', 'Luca'],
};
