"""Demo consent records (GDPR Art. 7(1)): for every voluntary value a demo candidate holds and
every confirmed newsletter subscriber, which text (version 1) they agreed to, when and how;
withdrawals where the demo data withdrew one."""

from consents.models import ConsentRecord

from . import danish, pools
from .context import DemoContext

CH = ConsentRecord.Channel


def seed_consent_records(ctx: DemoContext) -> None:
    records = []
    for pending in ctx.consents:
        person = pending.candidate or pending.subscriber
        on_the_web = ctx.chance(0.85)
        withdrawn = pending.withdrawn_at
        if pending.subscriber is not None:
            channel, withdrawal = CH.EMAIL_LINK, CH.EMAIL_LINK
        else:
            channel = CH.WEB_FORM if on_the_web else ctx.pick((CH.EMAIL, CH.PAPER, CH.PHONE))
            withdrawal = CH.SELF_SERVICE
        records.append(
            ConsentRecord(
                candidate=pending.candidate,
                subscriber=pending.subscriber,
                subject_ref=person.public_id,
                text=ctx.consent_texts[pending.purpose],
                given_at=pending.given_at,
                channel=channel,
                ip_address=danish.ipv4(ctx.rng)
                if channel in (CH.WEB_FORM, CH.EMAIL_LINK)
                else None,
                user_agent=ctx.pick(pools.USER_AGENTS) if channel == CH.WEB_FORM else "",
                withdrawn_at=withdrawn,
                withdrawal_channel=withdrawal if withdrawn else "",
            )
        )
    ConsentRecord.objects.bulk_create(records)
    ctx.count("consents.ConsentRecord", len(records))
