import { ask, type Business } from './business.ts';

export const OUTDOOR_SHOP: Business = {
  kind: 'outdoor shop',
  match: /\b(outdoor|camp|hik|gear|trek|shop|store|boots?\b)/i,
  greetings: ['Hi! Welcome to {name}. Questions about an order, delivery, returns or sizes? Ask away.', 'Hello 👋 This is {name}. How can I help with your order?'],
  topics: [
    [
      ask(['How long does delivery take?', 'When will my order arrive if I order today?'], 'Standard UK delivery takes 2–4 working days and is free over £50. Next-day delivery is £5.95 if you order by 2pm.'),
      ask('Do you deliver on Saturdays?', 'Yes, choose Saturday delivery at checkout for £7.95.'),
    ],
    [
      ask(['Where is my order?', 'Can you check my order status?'], 'You can follow it with the link in your dispatch email, or give me your order number and I will look it up.'),
      ask(['It is NW-48213', 'My order number is NW-48213'], 'Order NW-48213 left our warehouse yesterday and is due with you tomorrow by DPD.'),
    ],
    [
      ask(['How do I return something?', 'Can I send back a jacket that does not fit?'], 'Start a return from your account or from the link in your order email. Returns are free with a printable Royal Mail label.'),
      ask('How long do I have to return it?', 'You have 60 days, as long as the item is unused with its tags on.'),
    ],
    [ask('Can I return boots I have worn outside?', 'We can only take back boots worn indoors, unless they are faulty — do try them around the house first.')],
    [
      ask(['Do the Ridgeline boots run small?', 'What size Ridgeline boots should I get?'], 'They are true to size. If you are between sizes or wear thick walking socks, go half a size up.'),
      ask('Do they come in wide fit?', 'Yes, the Ridgeline comes in a wide fit from size 7 to 12.'),
    ],
    [ask(['What size jacket should I get? I am usually a medium', 'How does your jacket sizing work?'], 'Our jackets follow standard UK sizing: if a medium fits you elsewhere, our medium will, with room for a fleece underneath.')],
    [
      ask(['Is the Cairn 2-person tent in stock?', 'Do you have the Cairn tent in green?'], 'Yes, the Cairn 2 is in stock in green and grey and ships today if you order by 2pm.'),
      ask('Is it light enough for backpacking?', 'It weighs 1.9 kg packed, so most people use it for backpacking and wild camping.'),
    ],
    [ask(['Do you have a shop I can visit?', 'Can I try things on in store?'], 'Yes, our store is at 14 Mill Street, Kendal, open 9am to 5:30pm every day, and you can collect online orders there for free.')],
    [ask('Do you ship to Ireland?', 'Yes, we ship to Ireland and the EU in 4–7 working days, from £9.95.')],
  ],
  handoffs: ['Can I speak to someone from customer service?', 'I would like to talk to a real person', 'agent please'],
  handoffReply: 'Sure — choose below to chat with our customer team now, or to get a call back.',
  agentOpeners: ['Hi, I am {agent} from the {name} customer team. What can I do for you?'],
  agentTopics: [
    [
      ask('My tent arrived with a broken pole.', 'I am sorry about that! I have sent a replacement pole by next-day delivery, at no cost to you.'),
      ask('Do I need to send the broken one back?', 'No need, please just recycle it.'),
    ],
    [
      ask('Can I swap my boots for a size 9?', 'Of course. I have set up the exchange and emailed you a free returns label for the size 8s.'),
      ask('Will the new pair come before the weekend?', 'Yes, the size 9s go out today on next-day delivery.'),
    ],
    [ask('I was charged twice for my order.', 'I can see the duplicate payment — I have refunded it, and it will be back on your card in 3–5 days.')],
  ],
  resumes: ['Sure, I am still here. Anything else about your order?'],
  closings: ['Great, thanks!', 'Brilliant, thank you.', 'Cheers, that is all.'],
  agents: ['Tom', 'Ellie', 'James', 'Aisha'],
};
