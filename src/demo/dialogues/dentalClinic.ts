import { ask, type Business } from './business.ts';

export const DENTAL_CLINIC: Business = {
  kind: 'dental clinic',
  match: /\b(dent|teeth|tooth|smile|orthodont)/i,
  greetings: ['Hi! Welcome to {name}. Would you like to book an appointment, or can I answer a question?', 'Hello 👋 This is {name}. How can I help you today?'],
  topics: [
    [
      ask(['I would like to book a check-up', 'Can I make an appointment?'], 'Of course! Our next openings are Tuesday at 10:30 and Thursday at 3:15. Which suits you better?'),
      ask(['Thursday please', 'Thursday at 3:15 works'], 'Done — you are booked for Thursday at 3:15 with Dr. Chen. We will text you a reminder the day before.'),
    ],
    [
      ask(['Do you take my health fund?', 'Are you covered by Bupa or HCF?'], 'Yes, we are preferred providers for Bupa, HCF and Medibank, and we claim on the spot with HICAPS.'),
      ask('Will I have a gap to pay?', 'For a check-up and clean most members pay no gap. For other treatment we give you a written quote first.'),
    ],
    [ask(['Is there parking nearby?', 'Where can I park?'], 'Yes — free two-hour parking behind the clinic on Maple Lane, and an accessible bay right by the entrance.')],
    [
      ask(['What are your opening hours?', 'When are you open?'], 'Monday to Friday 8am to 6pm, and Saturday 8am to 1pm. We are closed on Sundays and public holidays.'),
      ask('Are you open late on any day?', 'Yes, on Wednesdays we see patients until 8pm.'),
    ],
    [
      ask(['I have a really bad toothache, can someone see me today?', 'I chipped a tooth, is this an emergency?'], 'We keep emergency slots every day. Please call us on (02) 9555 0142 and we will fit you in today.'),
      ask('Should I take anything for the pain?', 'Paracetamol or ibuprofen as directed on the pack can help until you see us; avoid very hot or cold drinks.'),
    ],
    [ask(['How much is a check-up and clean?', 'What does a check-up cost without insurance?'], 'A check-up, clean and two x-rays is $220 without insurance.')],
    [
      ask('Do you see children?', 'Yes, from their first birthday. Eligible children are bulk-billed under the Child Dental Benefits Schedule.'),
      ask('Can I book both my kids at the same time?', 'Yes — we can book siblings back to back so you only make one trip.'),
    ],
    [ask(['I need to change my appointment', 'Can I reschedule my booking?'], 'You can reschedule from the link in your confirmation text, or tell me the day you would prefer and I will pass it to reception.')],
    [ask('Do you do teeth whitening?', 'Yes, in-chair whitening is $650 and take-home trays are $390, after a check-up to make sure it suits you.')],
  ],
  handoffs: ['Can I talk to someone at reception?', 'I would rather speak to a person', 'Could a receptionist help me with this?'],
  handoffReply: 'Of course — choose below whether someone from reception joins this chat now or calls you back.',
  agentOpeners: ['Hi, this is {agent} at the front desk of {name}. How can I help?'],
  agentTopics: [
    [
      ask('I need to move my appointment from Thursday to next week.', 'No problem — I can do Tuesday at 9:00 or Wednesday at 4:30.'),
      ask('Wednesday at 4:30 works.', 'Done, you are booked for Wednesday at 4:30. See you then!'),
    ],
    [
      ask('Can you check whether my fund covers a crown?', 'I will request a pre-approval from your fund and email you the quote today.'),
      ask('Thanks, how long does that usually take?', 'Usually one or two working days. I will call you as soon as we hear back.'),
    ],
    [ask('My son has a loose filling, can you fit him in this week?', 'I have a spot tomorrow at 3:40 with Dr. Rossi, straight after school. Shall I book it?')],
  ],
  resumes: ['No problem, I am still here. What else would you like to know about {name}?'],
  closings: ['Great, thank you!', 'That helps, thanks.', 'Perfect, see you then.'],
  agents: ['Priya', 'Hannah', 'Mei', 'Grace'],
};
