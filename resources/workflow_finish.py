"""WAGTAIL_FINISH_WORKFLOW_ACTION, in a module of its own.

Wagtail imports this setting while wagtail.models itself is being imported
(WorkflowState.on_finish is a class attribute), so the module may not import
wagtail.models at its top; the rule itself lives in resources.publishing.
"""


def publish_approved_revision(workflow_state, user=None):
    from .publishing import publish_approved_revision as publish

    return publish(workflow_state, user=user)
