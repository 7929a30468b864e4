import { Author, StatusBadge, TagList, TimeAgo } from '../components/bits';
import { tallyOf, VoteControl } from '../components/VoteControl';
import { plural } from '../format';
import { Link } from '../navigation';
import type { Block } from '../permissions';
import { paths } from '../router';
import type { IdeaView } from '../types';
import type { VoteTally } from '../votes';

interface Props {
  idea: IdeaView;
  downvotesEnabled: boolean;
  voteBlock: Block | null;
  onTag: (tag: string) => void;
  onVoteSettled: (tally: VoteTally) => void;
}

export function IdeaCard({ idea, downvotesEnabled, voteBlock, onTag, onVoteSettled }: Props) {
  const excerpt = idea.bodyText.length > 240 ? `${idea.bodyText.slice(0, 240).trimEnd()}…` : idea.bodyText;
  return (
    <li className="card idea-card" data-flip-key={idea.id}>
      <VoteControl
        ideaId={idea.id}
        title={idea.title}
        tally={tallyOf(idea)}
        downvotesEnabled={downvotesEnabled}
        blocked={voteBlock}
        onSettled={onVoteSettled}
      />
      <div className="idea-body">
        <h2 className="card-title">
          <Link to={paths.idea(idea.id)}>{idea.title}</Link>
        </h2>
        <p className="meta">
          <StatusBadge status={idea.status} />
          {idea.locked && <span className="badge">Locked</span>}
          {idea.hidden && <span className="badge badge-danger">Hidden</span>}
          {idea.following && <span className="badge">Following</span>}
        </p>
        {excerpt && <p className="excerpt">{excerpt}</p>}
        <TagList tags={idea.tags} onSelect={onTag} />
        <p className="meta meta-small">
          <Author user={idea.author} /> <span aria-hidden="true">·</span> <TimeAgo iso={idea.createdAt} />{' '}
          <span aria-hidden="true">·</span>{' '}
          <Link to={`${paths.idea(idea.id)}#comments`}>{plural(idea.commentCount, 'comment')}</Link>
        </p>
      </div>
    </li>
  );
}
