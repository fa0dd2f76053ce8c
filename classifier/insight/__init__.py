"""What the stored findings say: overview tables, emerging themes, the review queue, charts."""
