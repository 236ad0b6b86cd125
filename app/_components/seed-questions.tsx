const questions = [
  {
    question: "Where does the claim go?",
    answer: "Into the access token for this API, never the ID token; the API reads it only after verifying the token.",
    href: "/tokens",
    link: "See both tokens in the token inspector",
  },
  {
    question: "Why only this app and this API?",
    answer:
      "The IdP's post-login action checks the client and the audience; tokens for another client or another API come without it.",
    href: "/tokens#contrast",
    link: "See them side by side in the inspector's contrast",
  },
  {
    question: "How stale can a role be?",
    answer:
      "Up to one access-token lifetime (5 minutes on the local IdP), or seconds when the IdP signs the user out; the README's table “When something changes at the IdP” has the measured numbers.",
    href: "/tokens#reach",
    link: "See when a change reaches you in the inspector",
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
