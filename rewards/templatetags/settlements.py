from django import template

from rewards.rules import RULE_KINDS

register = template.Library()


@register.filter
def rule_title(kind: str) -> str:
    """目标达成奖 for target_bonus: the rule's name as finance reads it."""
    rule = RULE_KINDS.get(kind)
    return rule.title if rule else kind
