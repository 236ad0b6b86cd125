const questions = [
  {
    question: "Where does the claim go?",
    answer: "Into the access token for this API, never into the ID token.",
    href: "/tokens",
    link: "See it in the token inspector",
  },
  {
    question: "Why only this app and this API?",
    answer: "The IdP's post-login action checks both the client and the API.",
    href: "/tokens#contrast",
    link: "Compare the other tokens in the contrast",
  },
  {
    question: "How stale can a role be?",
    answer: "Up to one access-token lifetime; the README's table has the measured numbers.",
    href: "/tokens#reach",
    link: "See when a change reaches you",
  },
];

/** The questions people ask about a custom claim for an API, each answered where the app shows it. */
export function SeedQuestions() {
  return (
    <section aria-labelledby="questions" className="space-y-4">
      <h2 id="questions" className="text-xl font-semibold">
        Three questions, answered
      </h2>
      <dl className="grid gap-3 md:grid-cols-3" data-testid="seed-questions">
        {questions.map((item) => (
          <div key={item.href} className="min-w-0 rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
            <dt className="font-medium">{item.question}</dt>
            <dd className="mt-2 text-sm text-slate-700 wrap-anywhere">
              {item.answer}{" "}
              <a href={item.href}>
                {item.link}
                <span aria-hidden="true"> →</span>
              </a>
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
